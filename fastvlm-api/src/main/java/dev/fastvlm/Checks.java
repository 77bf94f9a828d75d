package dev.fastvlm;

import java.util.Objects;

/** Builder validation that names the field it rejects. */
final class Checks {
    private Checks() {
    }

    static <T> T required(T value, String field, String hint) {
        if (value == null) {
            throw new InvalidConfigurationException(field, "is required: " + hint);
        }
        return value;
    }

    static int positive(int value, String field) {
        if (value <= 0) {
            throw new InvalidConfigurationException(field, "must be > 0, was " + value);
        }
        return value;
    }

    static void check(boolean condition, String field, String problem) {
        if (!condition) {
            throw new InvalidConfigurationException(field, problem);
        }
    }

    static String notBlank(String value, String field) {
        Objects.requireNonNull(field);
        if (value == null || value.isBlank()) {
            throw new InvalidConfigurationException(field, "must not be blank");
        }
        return value;
    }
}

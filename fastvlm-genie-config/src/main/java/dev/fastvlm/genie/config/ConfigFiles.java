package dev.fastvlm.genie.config;

import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.Violation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/** Reads a config file, naming the file in every problem its parser reports. */
final class ConfigFiles {
    private ConfigFiles() {
    }

    static <T> T read(Path file, Function<String, T> parser) {
        String json;
        try {
            json = Json.readUtf8(file);
        } catch (IOException e) {
            throw new GenieConfigException(List.of(new Violation(file.toString(), "cannot be read: " + e)));
        }
        try {
            return parser.apply(json);
        } catch (GenieConfigException e) {
            throw e.inFile(file.toString());
        }
    }
}

package dev.fastvlm;

/**
 * A builder was given a value it cannot accept. {@link #field()} names the offending field, as
 * the user spelled it in the builder (for example {@code generation.topP}).
 */
public class InvalidConfigurationException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    private final String field;

    public InvalidConfigurationException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /** The name of the field that is wrong. */
    public String field() {
        return field;
    }
}

package dev.fastvlm;

/**
 * A builder was given a value it cannot accept. {@link #field()} names the offending field, as
 * the user spelled it in the builder (for example {@code generation.topP}).
 */
public class InvalidConfigurationException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    /** The offending field's name, as spelled in the builder. */
    private final String field;

    /**
     * A wrong value for {@code field}.
     *
     * @param field the field's name as spelled in the builder, for example {@code generation.topP}
     * @param problem what is wrong with the value, with the value itself
     */
    public InvalidConfigurationException(String field, String problem) {
        super(field + ": " + problem);
        this.field = field;
    }

    /**
     * The name of the field that is wrong.
     *
     * @return the field's name, for example {@code runtime.deviceDirectory}
     */
    public String field() {
        return field;
    }
}

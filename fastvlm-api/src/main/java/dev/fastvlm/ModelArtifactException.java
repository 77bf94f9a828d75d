package dev.fastvlm;

/** A model artifact is missing, unreadable, or inconsistent with the others (shape, type, size). */
public class ModelArtifactException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /**
     * A bad artifact described by {@code message}.
     *
     * @param message the artifact's file and what is wrong with it
     */
    public ModelArtifactException(String message) {
        super(message);
    }

    /**
     * A bad artifact, found out through {@code cause}.
     *
     * @param message the artifact's file and what is wrong with it
     * @param cause the reading or parsing error
     */
    public ModelArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}

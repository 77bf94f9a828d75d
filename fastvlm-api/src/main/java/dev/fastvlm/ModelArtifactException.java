package dev.fastvlm;

/** A model artifact is missing, unreadable, or inconsistent with the others (shape, type, size). */
public class ModelArtifactException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    public ModelArtifactException(String message) {
        super(message);
    }

    public ModelArtifactException(String message, Throwable cause) {
        super(message, cause);
    }
}

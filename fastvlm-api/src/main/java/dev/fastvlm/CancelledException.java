package dev.fastvlm;

/** The caller cancelled the request (or interrupted its thread); device programs were stopped. */
public class CancelledException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    public CancelledException(String message) {
        super(message);
    }

    public CancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}

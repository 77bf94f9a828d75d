package dev.fastvlm;

/** The caller cancelled the request (or interrupted its thread); device programs were stopped. */
public class CancelledException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /**
     * A cancellation described by {@code message}.
     *
     * @param message what was cancelled and why
     */
    public CancelledException(String message) {
        super(message);
    }

    /**
     * A cancellation caused by {@code cause}, typically an {@link InterruptedException}.
     *
     * @param message what was cancelled and why
     * @param cause the interruption or cancellation that stopped the request
     */
    public CancelledException(String message, Throwable cause) {
        super(message, cause);
    }
}

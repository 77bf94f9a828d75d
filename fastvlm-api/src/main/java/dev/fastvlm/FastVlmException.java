package dev.fastvlm;

/**
 * Root of every exception that fastvlm-java throws. Unchecked: callers catch the subtype they
 * can act on ({@link InvalidInputException}, {@link DeviceException}, ...) and let the rest travel.
 */
public class FastVlmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * A failure described by {@code message}.
     *
     * @param message what failed, naming the file, field or device involved
     */
    public FastVlmException(String message) {
        super(message);
    }

    /**
     * A failure caused by {@code cause}.
     *
     * @param message what failed, naming the file, field or device involved
     * @param cause the underlying exception
     */
    public FastVlmException(String message, Throwable cause) {
        super(message, cause);
    }
}

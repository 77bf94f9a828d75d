package dev.fastvlm;

/**
 * Root of every exception that fastvlm-java throws. Unchecked: callers catch the subtype they
 * can act on ({@link InvalidInputException}, {@link DeviceException}, ...) and let the rest travel.
 */
public class FastVlmException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public FastVlmException(String message) {
        super(message);
    }

    public FastVlmException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.fastvlm;

/** A request's input (its image or its prompt) cannot be used; the message says which and why. */
public class InvalidInputException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /**
     * An unusable input described by {@code message}.
     *
     * @param message which input (the image's name, or the prompt) and why it cannot be used
     */
    public InvalidInputException(String message) {
        super(message);
    }

    /**
     * An unusable input, found out through {@code cause}.
     *
     * @param message which input and why it cannot be used
     * @param cause the decoding or reading error
     */
    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.fastvlm;

/** A request's input (its image or its prompt) cannot be used; the message says which and why. */
public class InvalidInputException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.fastvlm;

/** The device cannot be reached or used. Subtypes say whether it is absent, unauthorized or gone. */
public class DeviceException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    public DeviceException(String message) {
        super(message);
    }

    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}

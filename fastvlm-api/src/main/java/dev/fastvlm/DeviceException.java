package dev.fastvlm;

/** The device cannot be reached or used. Subtypes say whether it is absent, unauthorized or gone. */
public class DeviceException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /**
     * A device failure described by {@code message}.
     *
     * @param message which device and what failed
     */
    public DeviceException(String message) {
        super(message);
    }

    /**
     * A device failure caused by {@code cause}.
     *
     * @param message which device and what failed
     * @param cause the underlying I/O or protocol error
     */
    public DeviceException(String message, Throwable cause) {
        super(message, cause);
    }
}

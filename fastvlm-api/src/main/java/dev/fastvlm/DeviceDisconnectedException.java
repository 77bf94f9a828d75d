package dev.fastvlm;

/** The connection to the device was lost while it was in use. */
public class DeviceDisconnectedException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /**
     * A lost connection.
     *
     * @param message which device and what it was doing when the connection dropped
     * @param cause the I/O error that revealed the loss
     */
    public DeviceDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.fastvlm;

/** The connection to the device was lost while it was in use. */
public class DeviceDisconnectedException extends DeviceException {
    private static final long serialVersionUID = 1L;

    public DeviceDisconnectedException(String message, Throwable cause) {
        super(message, cause);
    }
}

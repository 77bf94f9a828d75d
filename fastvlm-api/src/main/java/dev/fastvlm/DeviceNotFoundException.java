package dev.fastvlm;

/** No device matches the request: none attached, several and no serial chosen, or an unknown serial. */
public class DeviceNotFoundException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /**
     * No matching device.
     *
     * @param message the serial asked for and the devices seen
     */
    public DeviceNotFoundException(String message) {
        super(message);
    }

    /**
     * No matching device, found out through {@code cause}.
     *
     * @param message the serial asked for and the devices seen
     * @param cause the error from listing devices
     */
    public DeviceNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}

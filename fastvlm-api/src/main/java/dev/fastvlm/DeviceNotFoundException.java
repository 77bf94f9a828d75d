package dev.fastvlm;

/** No device matches the request: none attached, several and no serial chosen, or an unknown serial. */
public class DeviceNotFoundException extends DeviceException {
    private static final long serialVersionUID = 1L;

    public DeviceNotFoundException(String message) {
        super(message);
    }

    public DeviceNotFoundException(String message, Throwable cause) {
        super(message, cause);
    }
}

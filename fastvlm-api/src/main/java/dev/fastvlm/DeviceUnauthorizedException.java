package dev.fastvlm;

/** The device refused this host's key: the user has to accept the debugging prompt on the phone. */
public class DeviceUnauthorizedException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /**
     * A refused key.
     *
     * @param message which device refused and what the user has to do
     */
    public DeviceUnauthorizedException(String message) {
        super(message);
    }
}

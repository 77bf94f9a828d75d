package dev.fastvlm.genie.soc;

import dev.fastvlm.DeviceException;

/** The device's chip is not one this project can run on (or not one it knows); the message lists the known ones. */
public class UnsupportedSocException extends DeviceException {
    private static final long serialVersionUID = 1L;

    /**
     * An unknown or unsupported chip.
     *
     * @param message the chip's name and the chips that are known
     */
    public UnsupportedSocException(String message) {
        super(message);
    }
}

package dev.fastvlm.emulator.adb;

import java.util.Objects;

/**
 * How the emulated device presents itself on the wire, whom it lets in, what one connection may
 * hold, and how its link misbehaves.
 *
 * @param banner            the CNXN banner, {@code device::<props>;features=<list>}
 * @param authorization     which hosts may connect ({@link AdbAuthorization})
 * @param maxStreams        open streams one connection may have; an OPEN beyond them is answered with CLSE
 * @param dropAfterBytes    close each connection after sending this many bytes (fault injection); &lt;= 0 never
 * @param bytesPerSecond    throttle what the device sends to this rate (a slow link); &lt;= 0 unlimited
 */
public record LinkSettings(String banner, AdbAuthorization authorization, int maxStreams, long dropAfterBytes,
                           long bytesPerSecond) {
    /**
     * Checks the settings.
     *
     * @param banner the CNXN banner, {@code device::<props>;features=<list>}
     * @param authorization which hosts may connect
     * @param maxStreams open streams one connection may have, at least 1
     * @param dropAfterBytes close each connection after sending this many bytes (fault injection); &lt;= 0 never
     * @param bytesPerSecond throttle what the device sends to this rate (a slow link); &lt;= 0 unlimited
     * @throws IllegalArgumentException if the banner is not an adbd banner or {@code maxStreams} is not positive
     */
    public LinkSettings {
        if (banner == null || !banner.startsWith("device:")) {
            throw new IllegalArgumentException("an adbd banner starts with \"device:\", was " + banner);
        }
        Objects.requireNonNull(authorization, "authorization");
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams must be at least 1, was " + maxStreams);
        }
    }
}

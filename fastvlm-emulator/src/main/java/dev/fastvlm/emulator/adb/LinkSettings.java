package dev.fastvlm.emulator.adb;

/**
 * How the emulated device presents itself on the wire and how its link misbehaves.
 *
 * @param banner            the CNXN banner, {@code device::<props>;features=<list>}
 * @param requireAuth       answer CNXN with an AUTH token first (then accept any signature or key,
 *                          as a device with a user who always taps "allow")
 * @param dropAfterBytes    close each connection after sending this many bytes (fault injection); &lt;= 0 never
 * @param bytesPerSecond    throttle what the device sends to this rate (a slow link); &lt;= 0 unlimited
 */
public record LinkSettings(String banner, boolean requireAuth, long dropAfterBytes, long bytesPerSecond) {
    /**
     * Checks the banner.
     *
     * @param banner the CNXN banner, {@code device::<props>;features=<list>}
     * @param requireAuth answer CNXN with an AUTH token first (then accept any signature or key, as a device with a
     *     user who always taps "allow")
     * @param dropAfterBytes close each connection after sending this many bytes (fault injection); &lt;= 0 never
     * @param bytesPerSecond throttle what the device sends to this rate (a slow link); &lt;= 0 unlimited
     * @throws IllegalArgumentException when {@code banner} does not start with {@code device:}
     */
    public LinkSettings {
        if (banner == null || !banner.startsWith("device:")) {
            throw new IllegalArgumentException("an adbd banner starts with \"device:\", was " + banner);
        }
    }
}

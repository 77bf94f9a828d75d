package dev.fastvlm.emulator;

import java.util.Map;
import java.util.Set;

/**
 * Faults to inject, for reliability tests.
 *
 * @param dropConnectionAfterBytes close each ADB connection once the device has sent this many bytes; 0 never
 * @param linkBytesPerSecond       throttle what the device sends (a slow link); 0 unlimited
 * @param diskBytes                bytes pushes may write in total before "No space left on device"; 0 unlimited
 * @param toolExitCodes            emulated tool name to the exit code it fails with (after its usual checks)
 * @param hangingTools             emulated tool names that hang instead of finishing
 */
public record EmulatorFaults(long dropConnectionAfterBytes, long linkBytesPerSecond, long diskBytes,
                             Map<String, Integer> toolExitCodes, Set<String> hangingTools) {

    /** No faults. */
    public static final EmulatorFaults NONE = new EmulatorFaults(0, 0, 0, Map.of(), Set.of());

    /**
     * Checks the sizes and copies the collections.
     *
     * @param dropConnectionAfterBytes close each ADB connection once the device has sent this many bytes; 0 never
     * @param linkBytesPerSecond throttle what the device sends (a slow link); 0 unlimited
     * @param diskBytes bytes pushes may write in total before "No space left on device"; 0 unlimited
     * @param toolExitCodes emulated tool name to the exit code it fails with (after its usual checks)
     * @param hangingTools emulated tool names that hang instead of finishing
     * @throws IllegalArgumentException when a size is negative
     * @throws NullPointerException when a collection is null or holds null
     */
    public EmulatorFaults {
        if (dropConnectionAfterBytes < 0 || linkBytesPerSecond < 0 || diskBytes < 0) {
            throw new IllegalArgumentException("fault sizes must be >= 0");
        }
        toolExitCodes = Map.copyOf(toolExitCodes);
        hangingTools = Set.copyOf(hangingTools);
    }
}

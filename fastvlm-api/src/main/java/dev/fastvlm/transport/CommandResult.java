package dev.fastvlm.transport;

import java.time.Duration;
import java.util.Objects;

/**
 * How a device program ended.
 *
 * @param exitCode   its exit status
 * @param stderrTail the last part of what it wrote to stderr (for error messages)
 * @param elapsed    wall time of the run
 */
public record CommandResult(int exitCode, String stderrTail, Duration elapsed) {
    /**
     * Checks that the texts and time are present.
     *
     * @param exitCode its exit status
     * @param stderrTail the last part of what it wrote to stderr (for error messages)
     * @param elapsed wall time of the run
     * @throws NullPointerException when {@code stderrTail} or {@code elapsed} is null
     */
    public CommandResult {
        Objects.requireNonNull(stderrTail, "stderrTail");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /**
     * Whether the program ended well.
     *
     * @return {@code true} when the exit code is 0
     */
    public boolean succeeded() {
        return exitCode == 0;
    }
}

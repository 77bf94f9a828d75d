package dev.fastvlm.emulator.shell;

import java.io.IOException;

/**
 * The one place where the emulator starts host processes for the device (shells, bubblewrap,
 * emulated tools), so whoever owns their lifetime sees every one of them.
 */
@FunctionalInterface
public interface ProcessLauncher {
    /** Starts processes without tracking them. */
    ProcessLauncher DIRECT = ProcessBuilder::start;

    /**
     * Starts a process.
     *
     * @param builder the process to start
     * @return the started process
     * @throws IOException if it cannot be started
     */
    Process start(ProcessBuilder builder) throws IOException;
}

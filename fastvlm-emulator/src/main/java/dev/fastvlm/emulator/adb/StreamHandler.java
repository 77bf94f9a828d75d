package dev.fastvlm.emulator.adb;

/** Serves one opened ADB stream (a shell, a sync session, ...) until it is done. */
@FunctionalInterface
public interface StreamHandler {
    /**
     * Serves the stream; the stream is closed after this returns or throws.
     *
     * @param stream the opened stream
     * @throws Exception when serving fails; the connection logs it and closes the stream
     */
    void serve(AdbStream stream) throws Exception;
}

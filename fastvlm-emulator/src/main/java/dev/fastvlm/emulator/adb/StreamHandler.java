package dev.fastvlm.emulator.adb;

/** Serves one opened ADB stream (a shell, a sync session, ...) until it is done. */
@FunctionalInterface
public interface StreamHandler {
    void serve(AdbStream stream) throws Exception;
}

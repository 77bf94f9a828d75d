package dev.fastvlm.bench;

import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;

import java.nio.file.Path;

/**
 * A device emulator whose sandbox and ADB key live in a benchmark's work folder, and a direct
 * {@link AdbTransport} to it, as the describe benchmarks use them; {@link #close} stops both.
 */
final class BenchDevice implements AutoCloseable {
    private final DeviceEmulator emulator;
    private final AdbTransport transport;

    private BenchDevice(DeviceEmulator emulator, AdbTransport transport) {
        this.emulator = emulator;
        this.transport = transport;
    }

    /** Starts the emulator with {@code options} (its sandbox set here) and connects to it. */
    static BenchDevice start(Path work, EmulatorOptions.Builder options) {
        DeviceEmulator emulator = DeviceEmulator.start(options.sandbox(work.resolve("sandbox"))
                .authorizedKeys(work.resolve("adbkey.pub")).build());
        try {
            return new BenchDevice(emulator, AdbTransport.builder().direct("127.0.0.1", emulator.port())
                    .adbKey(work.resolve("adbkey")).build());
        } catch (RuntimeException e) {
            emulator.close();
            throw e;
        }
    }

    AdbTransport transport() {
        return transport;
    }

    @Override
    public void close() {
        try {
            transport.close();
        } finally {
            emulator.close();
        }
    }
}

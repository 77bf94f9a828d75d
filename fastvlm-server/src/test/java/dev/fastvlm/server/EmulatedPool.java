package dev.fastvlm.server;

import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.EmulatedDevice;
import dev.fastvlm.emulator.EmulatorOptions;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** Emulated phones and a server over them, for the tests that need real device programs; closes all. */
final class EmulatedPool implements AutoCloseable {

    final List<EmulatedDevice> devices = new ArrayList<>();
    final FastVlmServer server;

    /**
     * @param options  each device's emulator options, by index
     * @param settings the server's settings besides its devices
     */
    EmulatedPool(List<EmulatorOptions> options, UnaryOperator<FastVlmServer.Builder> settings) throws IOException {
        FastVlmServer.Builder builder = FastVlmServer.builder().port(0);
        try {
            for (EmulatorOptions option : options) {
                EmulatedDevice device = EmulatedDevice.start(AdbTransport::direct, option);
                devices.add(device);
                builder.device(device.serial(), () -> open(device));
            }
            server = settings.apply(builder).build().start();
        } catch (IOException | RuntimeException e) {
            devices.forEach(EmulatedDevice::close);
            throw e;
        }
    }

    /** One instance on {@code device}, with a vision cache as {@code fastvlm serve} gives its devices. */
    static FastVlm open(EmulatedDevice device) {
        return FastVlm.builder()
                .device(AdbTransport.direct("127.0.0.1", device.emulator().port(), device.adbKey()))
                .models(device.bundleDir())
                .runtime(QairtRuntime.of(device.sdkDir()))
                .visionCacheSize(8)
                .build();
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            devices.forEach(EmulatedDevice::close);
        }
    }
}

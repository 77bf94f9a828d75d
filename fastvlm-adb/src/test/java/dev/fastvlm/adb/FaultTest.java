package dev.fastvlm.adb;

import dev.fastvlm.DeviceDisconnectedException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A connection cut in the middle of a transfer, between AdbTransport and the emulator's adbd. */
class FaultTest {

    @TempDir
    static Path keys;
    @TempDir
    Path host;

    @Test
    void aPushCutMidwayLeavesNoHalfFileSaysSoAndARetrySucceeds() throws IOException {
        try (DeviceEmulator device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(keys.resolve("adbkey.pub")).build());
             CuttingProxy proxy = new CuttingProxy(device.port());
             AdbTransport adb = AdbTransport.builder().direct("127.0.0.1", proxy.port())
                     .adbKey(keys.resolve("adbkey")).build()) {
            String target = "/data/local/tmp/fault/model.bin";
            Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
            adb.run(DeviceCommand.of("mkdir", "-p", "/data/local/tmp/fault"), OutputListener.NONE);

            proxy.cutAfterClientSent(1_000_000);
            AtomicLong progress = new AtomicLong();
            assertThatThrownBy(() -> adb.push(source, target, (done, total) -> progress.set(done)))
                    .isInstanceOf(DeviceDisconnectedException.class)
                    .hasMessageContaining("lost the connection to 127.0.0.1:" + proxy.port())
                    .hasMessageContaining("of 3000000 bytes of " + target)
                    .hasMessageContaining("nothing was written under that name");
            // Socket buffers can take every byte before the cut is noticed, so all of them may count as sent.
            assertThat(progress.get()).isBetween(1L, 3_000_000L);
            assertThat(device.hostPath(target)).doesNotExist();

            adb.push(source, target, TransferListener.NONE);
            assertThat(device.hostPath(target)).hasSameBinaryContentAs(source);
            try (Stream<Path> files = Files.list(device.hostPath("/data/local/tmp/fault"))) {
                assertThat(files.map(p -> p.getFileName().toString()))
                        .as("the interrupted push's temporary is removed once the device is back")
                        .containsExactly("model.bin");
            }
        }
    }

    @Test
    void aPullCutMidwayLeavesTheHostFileUntouched() throws IOException {
        try (DeviceEmulator device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(keys.resolve("adbkey.pub")).build());
             CuttingProxy proxy = new CuttingProxy(device.port());
             AdbTransport adb = AdbTransport.builder().direct("127.0.0.1", proxy.port())
                     .adbKey(keys.resolve("adbkey")).build()) {
            Path onDevice = device.hostPath("/data/local/tmp/out.raw");
            Files.createDirectories(onDevice.getParent());
            TestSupport.randomFile(onDevice, 4_000_000);
            Path local = Files.writeString(host.resolve("out.raw"), "previous result");

            proxy.cutAfterDeviceSent(1_500_000);
            assertThatThrownBy(() -> adb.pull("/data/local/tmp/out.raw", local, TransferListener.NONE))
                    .isInstanceOf(DeviceDisconnectedException.class)
                    .hasMessageContaining("/data/local/tmp/out.raw");
            assertThat(local).hasContent("previous result");
            try (Stream<Path> files = Files.list(host)) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("out.raw");
            }

            adb.pull("/data/local/tmp/out.raw", local, TransferListener.NONE);
            assertThat(local).hasSameBinaryContentAs(onDevice);
        }
    }
}

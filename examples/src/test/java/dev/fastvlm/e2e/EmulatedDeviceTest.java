package dev.fastvlm.e2e;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.EmulatedDevice;
import dev.fastvlm.emulator.model.EmulatedBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The README's one call for a ready emulated phone: describe on it, then nothing is left behind. */
class EmulatedDeviceTest {

    @Test
    void describesOnTheReadyDeviceAndCloseRemovesEverything(@TempDir Path dir) throws IOException {
        Path image = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
        Path bundle;
        Path sdk;
        Path sandbox;
        EmulatedDevice device = EmulatedDevice.start(AdbTransport::direct);
        try {
            bundle = device.bundleDir();
            sdk = device.sdkDir();
            sandbox = device.emulator().sandbox();
            assertThat(device.serial()).isEqualTo("127.0.0.1:" + device.emulator().port());
            try (FastVlm vlm = FastVlm.builder()
                    .device(device.transport())
                    .models(device.bundleDir())
                    .runtime(QairtRuntime.of(device.sdkDir()))
                    .build()) {
                Description d = vlm.describe(image, "What is in the image?");

                assertThat(d.text()).startsWith("Emulated FastVLM answer: the image is red on the left and blue on the right.");
            }
            // the CLI's small width, not FastVLM's 896 (whose table alone is 545 MB)
            assertThat(Files.size(bundle.resolve(EmulatedBundle.LUT)))
                    .isEqualTo((long) EmulatedBundle.VOCAB * EmulatedDevice.DEFAULT_WIDTH * Float.BYTES);
        } finally {
            device.close();
        }
        device.close();
        assertThat(bundle).doesNotExist();
        assertThat(sdk).doesNotExist();
        assertThat(sandbox).doesNotExist();
    }

    @Test
    void aFailingConnectorLeavesNothingBehind() throws IOException {
        IOException refused = new IOException("refused");
        long before = leftovers();

        assertThatThrownBy(() -> EmulatedDevice.start((host, port, adbKey) -> {
            throw refused;
        })).isSameAs(refused);
        assertThat(leftovers()).isEqualTo(before);
    }

    private static long leftovers() throws IOException {
        try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("fastvlm-emulated-device-")).count();
        }
    }
}

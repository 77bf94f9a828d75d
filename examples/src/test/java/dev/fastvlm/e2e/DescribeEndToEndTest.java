package dev.fastvlm.e2e;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.StageTiming;
import dev.fastvlm.TextEmbeddingSource;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole describe flow, over real ADB bytes, against the emulated Snapdragon. */
class DescribeEndToEndTest {

    @TempDir
    static Path dir;
    static DeviceEmulator emulator;
    static Path sdk;
    static Path bundle;
    static Path redBlue;

    @BeforeAll
    static void device() throws IOException {
        emulator = DeviceEmulator.start(EmulatorOptions.defaults());
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        redBlue = image(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static Path image(Path file, Color left, Color right) throws IOException {
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, 320, 480);
        g.setColor(right);
        g.fillRect(320, 0, 320, 480);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    private FastVlm.Builder builder() {
        return FastVlm.builder()
                .device(AdbTransport.direct("127.0.0.1", emulator.port()))
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).build());
    }

    @Test
    void describesWhatReachedTheDecoder() {
        List<String> pieces = new ArrayList<>();
        try (FastVlm vlm = builder().build()) {
            Description d = vlm.describe(redBlue, "What is in the image?", pieces::add);
            System.out.println(d.text());
            System.out.println(d.stats());
            assertThat(String.join("", pieces)).isEqualTo(d.text());
            assertThat(d.text()).contains("red").contains("blue");
            assertThat(d.stats().stages()).extracting(StageTiming::stage)
                    .contains("preprocess", "tokenize", "sync", "vision-encoder", "decoder");
        }
    }
}

package dev.fastvlm.e2e;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole describe flow with no ADB at all: the JVM is "on the device", the emulated SDK's
 * programs run as local processes and the device directory is a local folder.
 */
class LocalDescribeEndToEndTest {

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bundle;
    static Path redBlue;
    static Path bin;

    @BeforeAll
    static void device() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        redBlue = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
        bin = fakeAndroidCommands(dir.resolve("bin"));
    }

    /** An Android {@code getprop} for this Linux host, naming the chip the emulated SDK serves (8 Elite). */
    static Path fakeAndroidCommands(Path bin) throws IOException {
        Files.createDirectories(bin);
        Path getprop = bin.resolve("getprop");
        Files.writeString(getprop, "#!/bin/sh\ncase \"$1\" in ro.soc.model) echo SM8750 ;; *) echo ;; esac\n");
        Files.setPosixFilePermissions(getprop, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    static LocalTransport localDevice(Path bin) {
        return LocalTransport.builder().environment("PATH", bin + ":" + System.getenv("PATH")).build();
    }

    @Test
    void describesOverLocalProcessesAndKeepsModelFilesInPlace() throws IOException {
        Path deviceDir = dir.resolve("device");
        List<String> pieces = new ArrayList<>();
        try (FastVlm vlm = FastVlm.builder()
                .device(localDevice(bin))
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory(deviceDir.toString()).build())
                .build()) {
            Description first = vlm.describe(redBlue, "What is in the image?", pieces::add);
            assertThat(String.join("", pieces)).isEqualTo(first.text());
            assertThat(first.text()).contains("red on the left and blue on the right")
                    .contains("You asked: \"What is in the image?\"");
            assertThat(first.stats().stages()).extracting(t -> t.stage().id())
                    .contains("preprocess", "tokenize", "sync", "vision-encoder", "decoder", "profile");
            assertThat(first.stats().generatedTokens()).isPositive();
            assertThat(first.stats().promptTokens()).isGreaterThan(256);
            assertThat(first.stats().modelBytesPushed()).isPositive();

            Description second = vlm.describe(
                    TwoColourImages.write(dir.resolve("green-yellow.png"), Color.GREEN, Color.YELLOW),
                    "And now?");
            assertThat(second.text()).contains("green on the left and yellow on the right").contains("And now?");
            assertThat(second.stats().modelBytesPushed()).isZero();
        }
        // Synced model files are links to (or copies of) the bundle's, and no request directory is left behind.
        assertThat(Files.readAllBytes(deviceDir.resolve(EmulatedBundle.LUT)))
                .isEqualTo(Files.readAllBytes(bundle.resolve(EmulatedBundle.LUT)));
        try (Stream<Path> requests = Files.list(deviceDir.resolve("requests"))) {
            assertThat(requests).isEmpty();
        }
    }

    @Test
    void aChatTemplateThatDoesNotParseFailsBuildNotTheFirstRequest() throws IOException {
        Path broken = EmulatedBundle.write(dir.resolve("broken-template"), 56, EmulatedBundle.VisionPrecision.INT8);
        Path config = broken.resolve("tokenizer_config.json");
        String text = Files.readString(config);
        String edited = text.replaceFirst("\"chat_template\": \"(?:[^\"\\\\]|\\\\.)*\"",
                "\"chat_template\": \"{% for m in messages %}{{ m['content'] }}\"");
        assertThat(edited).isNotEqualTo(text);
        Files.writeString(config, edited);
        assertThatThrownBy(() -> FastVlm.builder()
                .device(localDevice(bin))
                .models(broken)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk)
                        .deviceDirectory(dir.resolve("device-broken").toString()).build())
                .build())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("chat template does not parse");
    }
}

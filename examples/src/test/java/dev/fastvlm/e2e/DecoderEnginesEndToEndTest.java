package dev.fastvlm.e2e;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;
import dev.fastvlm.transport.Transport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The same requests over {@link dev.fastvlm.core.local.LocalTransport} with Genie as a program per
 * request and with Genie in this process, both on the same stand-in libGenie.so: identical answers.
 */
class DecoderEnginesEndToEndTest {

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bundle;
    static Path bin;
    static List<Path> images;

    @BeforeAll
    static void device() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        StandInGenie.install(sdk, Files.createDirectories(dir.resolve("genie-build")));
        bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        bin = LocalDescribeEndToEndTest.fakeAndroidCommands(dir.resolve("bin"));
        images = List.of(TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE),
                TwoColourImages.write(dir.resolve("green-yellow.png"), Color.GREEN, Color.YELLOW));
    }

    private static FastVlm.Builder builder(DecoderEngine engine, String deviceDir) {
        return FastVlm.builder()
                .device(LocalDescribeEndToEndTest.localDevice(bin))
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory(dir.resolve(deviceDir).toString())
                        .build())
                .decoderEngine(engine);
    }

    private static List<Description> describeAll(DecoderEngine engine, List<List<String>> streamed) {
        List<Description> results = new ArrayList<>();
        try (FastVlm vlm = builder(engine, "device-" + engine).build()) {
            for (Path image : images) {
                for (String prompt : List.of("What is in the image?", "Describe the colours.")) {
                    List<String> pieces = new ArrayList<>();
                    results.add(vlm.describe(image, prompt, pieces::add));
                    streamed.add(pieces);
                }
            }
        }
        return results;
    }

    @Test
    void bothEnginesGiveIdenticalAnswersAndInProcessLoadsTheModelOnce() {
        List<List<String>> processPieces = new ArrayList<>();
        List<List<String>> nativePieces = new ArrayList<>();
        List<Description> process = describeAll(DecoderEngine.PROCESS, processPieces);
        List<Description> inProcess = describeAll(DecoderEngine.IN_PROCESS, nativePieces);

        assertThat(inProcess).extracting(Description::text).isEqualTo(process.stream().map(Description::text).toList());
        assertThat(process.get(0).text()).startsWith("Stand-in Genie saw ")
                .contains(" 256 image rows and 0 other rows at context position 0")
                .endsWith("the image is red on the left and blue on the right.");
        assertThat(process.get(2).text()).endsWith("the image is green on the left and yellow on the right.");
        assertThat(process.get(0).text()).isNotEqualTo(process.get(1).text());
        for (int i = 0; i < process.size(); i++) {
            assertThat(String.join("", nativePieces.get(i))).isEqualTo(inProcess.get(i).text());
            assertThat(String.join("", processPieces.get(i))).isEqualTo(process.get(i).text());
            assertThat(inProcess.get(i).stats().promptTokens()).isEqualTo(process.get(i).stats().promptTokens());
            assertThat(inProcess.get(i).stats().generatedTokens())
                    .isEqualTo(process.get(i).stats().generatedTokens()).isPositive();
        }
        List<String> firstStages = inProcess.get(0).stats().stages().stream().map(t -> t.stage().id()).toList();
        assertThat(firstStages).contains("decoder-load", "decoder").doesNotContain("push-embeddings", "genie-config");
        for (Description later : inProcess.subList(1, inProcess.size())) {
            assertThat(later.stats().stages()).extracting(t -> t.stage().id()).doesNotContain("decoder-load");
            assertThat(later.stats().initTime()).isEqualTo(Duration.ZERO);
        }
        assertThat(process).allSatisfy(d -> assertThat(d.stats().stages()).extracting(t -> t.stage().id())
                .contains("push-embeddings", "genie-config", "decoder", "profile").doesNotContain("decoder-load"));
    }

    @Test
    void inProcessNeedsALocalTransport() {
        LocalTransport local = LocalDescribeEndToEndTest.localDevice(bin);
        Transport elsewhere = new Transport() {
            @Override
            public String target() {
                return "a phone over some other link";
            }

            @Override
            public void writeAll(List<Upload> uploads, TransferListener progress) {
                local.writeAll(uploads, progress);
            }

            @Override
            public void pull(String devicePath, Path hostFile, TransferListener progress) {
                local.pull(devicePath, hostFile, progress);
            }

            @Override
            public CommandResult run(DeviceCommand command, OutputListener output) {
                return local.run(command, output);
            }

            @Override
            public void close() {
                local.close();
            }
        };
        assertThatThrownBy(() -> FastVlm.builder()
                .device(elsewhere)
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).build())
                .decoderEngine(DecoderEngine.IN_PROCESS).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("decoderEngine")
                .hasMessageContaining("LocalTransport").hasMessageContaining("a phone over some other link");
        elsewhere.close();
    }
}

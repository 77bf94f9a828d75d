package dev.fastvlm.e2e;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.Description;
import dev.fastvlm.DeviceToolException;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.TextEmbeddingSource;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.model.EmulatedBundle.VisionPrecision;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole describe flow, over real ADB bytes, against the emulated Snapdragon. The emulated
 * decoder describes what actually reached it, so a wrong byte anywhere upstream changes the answer.
 */
class DescribeEndToEndTest {

    private static final String DEVICE_DIR = QairtRuntime.DEFAULT_DEVICE_DIRECTORY;

    @TempDir
    static Path dir;
    static DeviceEmulator emulator;
    static Path sdk;
    static Path int8Bundle;
    static Path fp16Bundle;
    static Path redBlue;
    static Path greenYellow;

    @BeforeAll
    static void device() throws IOException {
        emulator = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(dir.resolve("adbkey.pub")).build());
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        int8Bundle = EmulatedBundle.write(dir.resolve("int8"), 56, VisionPrecision.INT8);
        fp16Bundle = EmulatedBundle.write(dir.resolve("fp16"), 56, VisionPrecision.FP16);
        redBlue = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
        greenYellow = TwoColourImages.write(dir.resolve("green-yellow.png"), Color.GREEN, Color.YELLOW);
    }

    @AfterAll
    static void stop() {
        emulator.close();
    }

    private static FastVlm.Builder builder(Path bundle, DecoderBackend backend) {
        return FastVlm.builder()
                .device(AdbTransport.direct("127.0.0.1", emulator.port(), dir.resolve("adbkey")))
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).decoderBackend(backend).build());
    }

    static Stream<Arguments> everyCombinationOfTheSeedFlow() {
        List<Arguments> all = new ArrayList<>();
        for (VisionPrecision precision : VisionPrecision.values()) {
            for (DecoderBackend backend : DecoderBackend.values()) {
                for (ImageLayout layout : ImageLayout.values()) {
                    for (TextEmbeddingSource text : TextEmbeddingSource.values()) {
                        all.add(Arguments.of(precision, backend, layout, text));
                    }
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} vision, {1} decoder, {2}, {3}")
    @MethodSource("everyCombinationOfTheSeedFlow")
    void describesWhatReachedTheDecoder(VisionPrecision precision, DecoderBackend backend, ImageLayout layout,
                                        TextEmbeddingSource text) {
        boolean swap = (precision.ordinal() + backend.ordinal() + layout.ordinal() + text.ordinal()) % 2 == 1;
        Path image = swap ? greenYellow : redBlue;
        String colours = swap ? "green on the left and yellow on the right" : "red on the left and blue on the right";
        List<String> pieces = Collections.synchronizedList(new ArrayList<>());
        try (FastVlm vlm = builder(precision == VisionPrecision.INT8 ? int8Bundle : fp16Bundle, backend)
                .imageLayout(layout).textEmbedding(text).build()) {
            Description d = vlm.describe(image, "What is in the image?", pieces::add);

            assertThat(d.text()).startsWith("Emulated FastVLM answer: the image is " + colours + ".")
                    .endsWith("You asked: \"What is in the image?\"");
            assertThat(d.text()).contains(layout == ImageLayout.PREPEND ? "The image came before the text."
                    : "The image came inside the text, after \"nd|>\\n<|im_start|>user\\n\". You asked");
            assertThat(String.join("", pieces)).isEqualTo(d.text());
            assertThat(d.stats().generatedTokens()).isPositive();
            assertThat(d.stats().promptTokens()).isGreaterThan(256);
            assertThat(d.stats().stages()).extracting(t -> t.stage().id()).contains("preprocess", "tokenize", "sync",
                    "vision-encoder", text == TextEmbeddingSource.HOST_TABLE ? "text-embeddings" : "text-embedder",
                    "decoder", "profile");
        }
        assertThat(requestDirectories()).as("request directories are removed, at the latest by close()").isEmpty();
    }

    @Test
    void modelFilesArePushedOnceAndConcurrentRequestsStayApart() throws Exception {
        try (FastVlm vlm = builder(int8Bundle, DecoderBackend.CPU).build()) {
            vlm.describe(redBlue, "First?");
            Future<Description> a = vlm.describeAsync(ImageInput.of(redBlue), "Is it red?", null);
            Future<Description> b = vlm.describeAsync(ImageInput.of(greenYellow), "Is it green?", null);
            Description first = a.get(2, TimeUnit.MINUTES);
            Description second = b.get(2, TimeUnit.MINUTES);

            assertThat(first.text()).contains("red on the left").contains("Is it red?");
            assertThat(second.text()).contains("green on the left").contains("Is it green?");
            assertThat(first.stats().modelBytesPushed()).isZero();
            assertThat(second.stats().modelBytesPushed()).isZero();
            assertThat(first.stats().requestBytesPushed()).isPositive();
        }
    }

    @Test
    void aFailingDeviceStageSurfacesWithItsStderrAndTheNextRequestWorks() throws IOException {
        try (FastVlm vlm = builder(int8Bundle, DecoderBackend.CPU).build()) {
            vlm.describe(redBlue, "Warm up.");
            Path encoder = emulator.hostPath(DEVICE_DIR + "/fastvlm_vision_encoder_int8_htp.bin");
            Path aside = dir.resolve("encoder-aside.bin");
            Files.move(encoder, aside);
            try {
                assertThatThrownBy(() -> vlm.describe(redBlue, "Broken?"))
                        .isInstanceOf(DeviceToolException.class)
                        .hasMessageStartingWith("qnn-net-run exited with code")
                        .hasMessageContaining("fastvlm_vision_encoder_int8_htp.bin");
                assertThat(requestDirectories()).isEmpty();
            } finally {
                Files.move(aside, encoder, StandardCopyOption.REPLACE_EXISTING);
            }
            assertThat(vlm.describe(redBlue, "Fixed?").text()).contains("red on the left");
        }
    }

    @Test
    void aFileGenieCannotOpenFailsWithTheReasonGenieT2tRunPrintsOnStdout() throws IOException {
        try (FastVlm vlm = builder(int8Bundle, DecoderBackend.CPU).build()) {
            vlm.describe(redBlue, "Warm up.");
            Path table = emulator.hostPath(DEVICE_DIR + "/" + EmulatedBundle.LUT);
            Path aside = dir.resolve("lut-aside.bin");
            Files.move(table, aside);
            try {
                assertThatThrownBy(() -> vlm.describe(redBlue, "Broken?"))
                        .isInstanceOfSatisfying(DeviceToolException.class, e -> {
                            assertThat(e.exitCode()).isEqualTo(1);
                            assertThat(e.stderrTail()).isEmpty();
                            assertThat(e.stdoutTail()).contains("File " + DEVICE_DIR + "/" + EmulatedBundle.LUT
                                    + " doesn't exists or is in bad shape.");
                        })
                        .hasMessageStartingWith("genie-t2t-run exited with code 1:\nstdout: ")
                        .hasMessageContaining("doesn't exists or is in bad shape.");
                assertThat(requestDirectories()).isEmpty();
            } finally {
                Files.move(aside, table, StandardCopyOption.REPLACE_EXISTING);
            }
            assertThat(vlm.describe(redBlue, "Fixed?").text()).contains("red on the left");
        }
    }

    @Test
    void cancellingTheFutureStopsTheDevicePrograms() throws Exception {
        EmulatorOptions slow = EmulatorOptions.builder().authorizedKeys(dir.resolve("adbkey.pub")).timing(EmulatedTiming.REALISTIC).build();
        try (DeviceEmulator device = DeviceEmulator.start(slow);
             FastVlm vlm = FastVlm.builder()
                     .device(AdbTransport.direct("127.0.0.1", device.port(), dir.resolve("adbkey")))
                     .models(int8Bundle)
                     .runtime(QairtRuntime.of(sdk))
                     .generation(GenerationOptions.builder().maxNewTokens(400).build())
                     .build()) {
            List<String> pieces = Collections.synchronizedList(new ArrayList<>());
            Future<Description> running = vlm.describeAsync(ImageInput.of(redBlue), "Describe slowly.", pieces::add);
            long waitUntil = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (pieces.isEmpty() && System.nanoTime() < waitUntil) {
                Thread.sleep(20);
            }
            assertThat(pieces).as("the answer had started streaming").isNotEmpty();
            assertThat(running.cancel(true)).isTrue();
            assertThatThrownBy(() -> running.get()).isInstanceOf(CancellationException.class);
            long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!deviceRequestDirs(device).isEmpty() && System.nanoTime() < settle) {
                Thread.sleep(50);
            }
            assertThat(deviceRequestDirs(device)).as("the cancelled request cleaned up").isEmpty();
            assertThat(vlm.describe(redBlue, "Still there?").text()).contains("red on the left");
        }
    }

    @Test
    void aMissingContextInfoIsWrittenByTheSdksHostTool() throws IOException {
        Path bare = dir.resolve("bare-bundle");
        Files.createDirectories(bare);
        try (Stream<Path> files = Files.list(int8Bundle)) {
            for (Path file : files.filter(f -> !f.getFileName().toString().startsWith("fastvlm_vision_encoder")
                    || f.toString().endsWith(".bin")).toList()) {
                Files.createSymbolicLink(bare.resolve(file.getFileName()), file);
            }
        }
        assertThat(bare.resolve("fastvlm_vision_encoder_int8_htp.json")).doesNotExist();
        try (FastVlm vlm = builder(bare, DecoderBackend.CPU).build()) {
            assertThat(vlm.describe(greenYellow, "And now?").text()).contains("green on the left and yellow");
        }
    }

    @Test
    void everyProblemOfABrokenBundleIsReportedBeforeAnyDeviceWork() throws IOException {
        Path broken = Files.createDirectories(dir.resolve("broken-bundle"));
        Files.copy(int8Bundle.resolve("tokenizer.json"), broken.resolve("tokenizer.json"));
        Files.writeString(broken.resolve("config.json"), "{\"hidden_size\": 56}");
        Path emptySdk = Files.createDirectories(dir.resolve("empty-sdk"));
        try (AdbTransport transport = AdbTransport.direct("127.0.0.1", emulator.port(), dir.resolve("adbkey"))) {
            assertThatThrownBy(() -> FastVlm.builder().device(transport).models(broken)
                    .runtime(QairtRuntime.of(emptySdk)).build())
                    .isInstanceOf(ModelArtifactException.class)
                    .hasMessageContaining("VISION_ENCODER: not found")
                    .hasMessageContaining("DECODER: not found")
                    .hasMessageContaining("no embedding table (LUT.bin)")
                    .hasMessageContaining("num_hidden_layers");
        }
    }

    @Test
    void aPromptThatDoesNotFitIsRejectedBeforeAnyDeviceWork() {
        try (FastVlm vlm = builder(int8Bundle, DecoderBackend.CPU).build()) {
            String longPrompt = "word ".repeat(400);
            assertThatThrownBy(() -> vlm.describe(redBlue, longPrompt))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("256 vision tokens")
                    .hasMessageContaining("512-token context");
        }
    }

    private static List<Path> requestDirectories() {
        return deviceRequestDirs(emulator);
    }

    private static List<Path> deviceRequestDirs(DeviceEmulator device) {
        Path requests = device.hostPath(DEVICE_DIR + "/requests");
        if (!Files.isDirectory(requests)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(requests)) {
            return entries.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}

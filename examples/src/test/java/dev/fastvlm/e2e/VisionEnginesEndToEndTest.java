package dev.fastvlm.e2e;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.ImageInput;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.Stage;
import dev.fastvlm.StageTiming;
import dev.fastvlm.VisionEngine;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.core.qnn.NativeQnnGraph;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import dev.fastvlm.transport.TransportCapability;
import dev.fastvlm.transport.Upload;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.awt.Color;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The vision encoder through the QNN C API in this process against the emulated qnn-net-run, over
 * {@link LocalTransport}, on the stand-in libQnnHtp.so/libQnnSystem.so of fastvlm-core's test
 * sources: the same bytes and answers for every bundle variant, no program and no file per request
 * with both engines in process, and 1,000 requests that create one context and free everything.
 */
class VisionEnginesEndToEndTest {

    static final int WIDTH = 56;
    static final List<String> PROMPTS = List.of("What is in the image?", "Describe the colours.");

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bin;
    static Map<EmulatedBundle.VisionPrecision, Path> bundles = new TreeMap<>();
    static List<Path> images;

    @BeforeAll
    static void device() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        StandInGenie.install(sdk, Files.createDirectories(dir.resolve("genie-build")));
        StandInQnn.install(sdk, Files.createDirectories(dir.resolve("qnn-build")));
        for (EmulatedBundle.VisionPrecision precision : EmulatedBundle.VisionPrecision.values()) {
            bundles.put(precision, EmulatedBundle.write(dir.resolve("bundle-" + precision), WIDTH, precision));
        }
        bin = LocalDescribeEndToEndTest.fakeAndroidCommands(dir.resolve("bin"));
        images = List.of(TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE),
                TwoColourImages.write(dir.resolve("green-yellow.png"), Color.GREEN, Color.YELLOW));
    }

    static Stream<Arguments> variants() {
        return Stream.of(EmulatedBundle.VisionPrecision.values()).flatMap(precision -> Stream.of(ImageLayout.values())
                .map(layout -> Arguments.of(precision, layout)));
    }

    private static FastVlm.Builder builder(Transport device, EmulatedBundle.VisionPrecision precision,
                                           ImageLayout layout, VisionEngine vision, DecoderEngine decoder,
                                           Path deviceDir) {
        return FastVlm.builder()
                .device(device)
                .models(bundles.get(precision))
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory(deviceDir.toString()).build())
                .imageLayout(layout)
                .visionEngine(vision)
                .decoderEngine(decoder);
    }

    private static List<String> describeAll(FastVlm vlm) {
        List<String> answers = new ArrayList<>();
        for (Path image : images) {
            for (String prompt : PROMPTS) {
                answers.add(vlm.describe(image, prompt).text());
            }
        }
        return answers;
    }

    @ParameterizedTest(name = "{0} encoder, {1}")
    @MethodSource("variants")
    void inProcessVisionGivesQnnNetRunsBytesAndAnswers(EmulatedBundle.VisionPrecision precision, ImageLayout layout)
            throws IOException {
        String name = precision + "-" + layout;
        Path processDir = dir.resolve("device-process-" + name);
        List<String> processAnswers;
        try (FastVlm vlm = builder(LocalDescribeEndToEndTest.localDevice(bin), precision, layout, VisionEngine.PROCESS,
                DecoderEngine.PROCESS, processDir).keepDeviceFiles(true).build()) {
            processAnswers = describeAll(vlm);
        }
        assertThat(processAnswers.get(0)).contains(" 256 image rows")
                .endsWith("the image is red on the left and blue on the right.");
        assertThat(processAnswers.get(2)).endsWith("the image is green on the left and yellow on the right.");

        // Every request qnn-net-run served kept its input and native output: the in-process graph's
        // output for the same input is byte for byte the program's.
        Path bundle = bundles.get(precision);
        String binary = precision == EmulatedBundle.VisionPrecision.INT8 ? EmulatedBundle.VISION_ENCODER_INT8
                : EmulatedBundle.VISION_ENCODER_FP16;
        QnnGraph graph = ContextBinaryInfo.read(bundle.resolve(EmulatedBundle.infoFileName(binary))).singleGraph();
        List<Path> requests;
        try (Stream<Path> list = Files.list(processDir.resolve("requests"))) {
            requests = list.sorted().toList();
        }
        assertThat(requests).hasSize(images.size() * PROMPTS.size());
        Path lib = sdk.resolve("lib/aarch64-android");
        try (NativeQnnGraph encoder = NativeQnnGraph.open(lib.resolve("libQnnHtp.so"), lib.resolve("libQnnSystem.so"),
                bundle.resolve(binary), graph)) {
            for (Path request : requests) {
                byte[] pixels = Files.readAllBytes(request.resolve("pixel_values.raw"));
                byte[] expected = Files.readAllBytes(request.resolve("vision/Result_0/image_features_native.raw"));
                ByteBuffer input = ByteBuffer.allocateDirect(pixels.length).put(pixels);
                ByteBuffer output = ByteBuffer.allocateDirect(expected.length);
                encoder.execute(List.of(input), List.of(output));
                byte[] actual = new byte[expected.length];
                output.get(actual);
                assertThat(actual).as("vision rows of %s", request).isEqualTo(expected);
            }
        }

        for (DecoderEngine decoder : DecoderEngine.values()) {
            try (FastVlm vlm = builder(LocalDescribeEndToEndTest.localDevice(bin), precision, layout,
                    VisionEngine.IN_PROCESS, decoder, dir.resolve("device-in-process-" + name + "-" + decoder)).build()) {
                assertThat(describeAll(vlm)).as("answers with the decoder %s", decoder).isEqualTo(processAnswers);
            }
        }
    }

    @Test
    void withBothEnginesInProcessARequestStartsNoProgramAndWritesNoFile() throws IOException {
        Path deviceDir = dir.resolve("device-resident");
        RecordingTransport device = new RecordingTransport(LocalDescribeEndToEndTest.localDevice(bin));
        List<String> expected;
        try (FastVlm vlm = builder(LocalDescribeEndToEndTest.localDevice(bin), EmulatedBundle.VisionPrecision.INT8,
                ImageLayout.PREPEND, VisionEngine.PROCESS, DecoderEngine.PROCESS, dir.resolve("device-reference"))
                .build()) {
            expected = describeAll(vlm);
        }
        try (FastVlm vlm = builder(device, EmulatedBundle.VisionPrecision.INT8, ImageLayout.PREPEND,
                VisionEngine.IN_PROCESS, DecoderEngine.IN_PROCESS, deviceDir).build()) {
            assertThat(device.calls()).as("build() syncs and runs getprop").isPositive();
            device.reset();
            Map<Path, String> before = files(dir);
            long children = ProcessHandle.current().descendants().count();

            List<Description> descriptions = new ArrayList<>();
            for (Path image : images) {
                for (String prompt : PROMPTS) {
                    descriptions.add(vlm.describe(image, prompt));
                }
            }

            assertThat(descriptions).extracting(Description::text).isEqualTo(expected);
            assertThat(device.calls()).as("transport calls during requests: " + device.log()).isZero();
            assertThat(files(dir)).as("files under " + dir).isEqualTo(before);
            assertThat(ProcessHandle.current().descendants().count()).isEqualTo(children);
            for (Description d : descriptions) {
                assertThat(d.stats().stages()).extracting(StageTiming::stage)
                        .contains(Stage.PREPROCESS, Stage.TOKENIZE, Stage.VISION_ENCODER, Stage.DECODER)
                        .doesNotContain(Stage.PUSH_IMAGE, Stage.PULL_VISION, Stage.SWEEP, Stage.VISION_LOAD,
                                Stage.DECODER_LOAD, Stage.PUSH_EMBEDDINGS, Stage.PROFILE, Stage.CLEANUP);
                assertThat(d.stats().requestBytesPushed()).isZero();
                assertThat(d.stats().modelBytesPushed()).isZero();
                assertThat(d.stats().bytesPulled()).isZero();
            }
        }
        assertThat(deviceDir.resolve("requests")).doesNotExist();
    }

    @Test
    void aThousandRequestsCreateOneContextAndFreeEverything() {
        Path deviceDir = dir.resolve("device-thousand");
        Path lib = sdk.resolve("lib/aarch64-android");
        // the synced libraries are the SDK's files (hard links or copies): count through the device folder's once loaded
        byte[] rgb = new byte[1024 * 1024 * 3];
        for (int i = 0; i < rgb.length; i += 3) {
            boolean left = (i / 3) % 1024 < 512;
            rgb[i] = (byte) (left ? 255 : 0);
            rgb[i + 2] = (byte) (left ? 0 : 255);
        }
        ImageInput image = ImageInput.ofRgb(1024, 1024, rgb);
        StandInQnn.HtpCounters htp;
        StandInQnn.SystemCounters system;
        StandInQnn.GenieCounters genie;
        int contexts;
        int executions;
        int htpLive;
        int genieLive;
        int dialogs;
        try (FastVlm vlm = builder(LocalDescribeEndToEndTest.localDevice(bin), EmulatedBundle.VisionPrecision.INT8,
                ImageLayout.PREPEND, VisionEngine.IN_PROCESS, DecoderEngine.IN_PROCESS, deviceDir).build()) {
            htp = StandInQnn.htp(deviceDir);
            system = StandInQnn.system(deviceDir);
            genie = StandInQnn.genie(deviceDir);
            contexts = htp.QnnHtpStandIn_contextsCreated();
            executions = htp.QnnHtpStandIn_executions();
            htpLive = htp.QnnHtpStandIn_liveHandles();
            genieLive = genie.GenieStandIn_liveHandles();
            dialogs = genie.GenieStandIn_dialogsCreated();
            assertThat(htpLive).as("backend, device and context of this instance").isGreaterThanOrEqualTo(3);
            String first = null;
            for (int i = 0; i < 1000; i++) {
                String answer = vlm.describe(image, "What is in the image?").text();
                if (first == null) {
                    first = answer;
                    assertThat(first).endsWith("the image is red on the left and blue on the right.");
                }
                assertThat(answer).isEqualTo(first);
            }
            assertThat(htp.QnnHtpStandIn_contextsCreated()).isEqualTo(contexts);
            assertThat(htp.QnnHtpStandIn_executions() - executions).isEqualTo(1000);
            assertThat(htp.QnnHtpStandIn_liveHandles()).isEqualTo(htpLive);
            assertThat(system.QnnSystemStandIn_liveHandles()).isZero();
            assertThat(genie.GenieStandIn_dialogsCreated()).isEqualTo(dialogs);
            assertThat(genie.GenieStandIn_liveHandles()).isEqualTo(genieLive);
        }
        assertThat(htp.QnnHtpStandIn_liveHandles()).as("after close").isEqualTo(htpLive - 3);
        assertThat(genie.GenieStandIn_liveHandles()).as("after close").isEqualTo(genieLive - 3);
        assertThat(lib).exists();
    }

    @Test
    void inProcessVisionNeedsTheDeviceToBeThisMachine() {
        Transport elsewhere = new RecordingTransport(LocalDescribeEndToEndTest.localDevice(bin)) {
            @Override
            public Set<TransportCapability> capabilities() {
                return Set.of();
            }

            @Override
            public String target() {
                return "a phone over some other link";
            }
        };
        assertThatThrownBy(() -> FastVlm.builder().device(elsewhere).models(bundles.get(EmulatedBundle.VisionPrecision.INT8))
                .runtime(QairtRuntime.of(sdk)).visionEngine(VisionEngine.IN_PROCESS).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("visionEngine")
                .hasMessageContaining("libQnnHtp.so").hasMessageContaining("a phone over some other link");
        elsewhere.close();
    }

    /** Every file under {@code root} with its size and modification time. */
    private static Map<Path, String> files(Path root) throws IOException {
        Map<Path, String> files = new TreeMap<>();
        Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                files.put(file, attrs.size() + " " + attrs.lastModifiedTime().toMillis());
                return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                files.put(d, "dir " + attrs.lastModifiedTime().toMillis());
                return java.nio.file.FileVisitResult.CONTINUE;
            }
        });
        return files;
    }

    /** A local transport that records every call that could start a program or touch a file. */
    static class RecordingTransport implements Transport {
        private final LocalTransport local;
        private final AtomicInteger calls = new AtomicInteger();
        private final List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());

        RecordingTransport(LocalTransport local) {
            this.local = local;
        }

        int calls() {
            return calls.get();
        }

        List<String> log() {
            return log;
        }

        void reset() {
            calls.set(0);
            log.clear();
        }

        private void record(String call) {
            calls.incrementAndGet();
            log.add(call);
        }

        @Override
        public String target() {
            return local.target();
        }

        @Override
        public Set<TransportCapability> capabilities() {
            return local.capabilities();
        }

        @Override
        public void writeAll(List<Upload> uploads, TransferListener progress) {
            record("writeAll " + uploads.stream().map(Upload::devicePath).toList());
            local.writeAll(uploads, progress);
        }

        @Override
        public void pull(String devicePath, Path hostFile, TransferListener progress) {
            record("pull " + devicePath);
            local.pull(devicePath, hostFile, progress);
        }

        @Override
        public byte[] read(String devicePath, int maxBytes) {
            record("read " + devicePath);
            return local.read(devicePath, maxBytes);
        }

        @Override
        public CommandResult run(DeviceCommand command, OutputListener output) {
            record("run " + command.program());
            return local.run(command, output);
        }

        @Override
        public void close() {
            local.close();
        }
    }
}

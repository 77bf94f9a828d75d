package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.ToolEnvironment;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.model.EmulatedEncoding;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The emulated tools run in this JVM (no device, no JVM start): their contracts case by case. */
class ToolsInProcessTest {
    static final int WIDTH = 16;
    static final String DIR = "/data/local/tmp/x";

    @TempDir
    static Path root;
    static Path work;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void setUp() throws Exception {
        work = Files.createDirectories(root.resolve(DIR.substring(1)));
        Path sdk = EmulatedSdk.write(root.resolve("sdk"), "java", "unused");
        for (String lib : new String[] {"libGenie.so", "libQnnHtp.so", "libQnnSystem.so", "libQnnHtpV79Stub.so"}) {
            Files.copy(sdk.resolve("lib/aarch64-android/" + lib), work.resolve(lib));
        }
        Files.copy(sdk.resolve("lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so"), work.resolve("libQnnHtpV79Skel.so"));
        EmulatedBundle.write(work, WIDTH, EmulatedBundle.VisionPrecision.FP16);
    }

    static Run run(Map<String, String> extraEnv, String... args) {
        Map<String, String> env = new HashMap<>();
        env.put(ToolEnvironment.SANDBOX, root.toString());
        env.put(ToolEnvironment.SOC, "SM8750");
        env.put("LD_LIBRARY_PATH", DIR + ":/vendor/lib64");
        env.put("ADSP_LIBRARY_PATH", DIR + ";/vendor/dsp/cdsp");
        env.putAll(extraEnv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EmulatedTools.run(args, new ToolContext(env, work), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Run run(String... args) {
        return run(Map.of(), args);
    }

    /** Green top half, white bottom half, float32 NCHW in [0, 1] as the FP16 encoder takes it. */
    static void writeGreenOverWhite(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(3 * 1024 * 1024 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < 1024; y++) {
                for (int x = 0; x < 1024; x++) {
                    b.putFloat(y < 512 ? (c == 1 ? 0.9f : 0.05f) : 0.97f);
                }
            }
        }
        Files.write(file, b.array());
    }

    static void writeConfig(String name, int contextSize) throws Exception {
        Files.writeString(work.resolve(name), "{\"dialog\": {\"version\": 1, \"type\": \"basic\","
                + "\"context\": {\"version\": 1, \"size\": " + contextSize + ", \"n-vocab\": 151936, \"bos-token\": 151644,"
                + " \"eos-token\": [151645, 151643]}, \"embedding\": {\"version\": 1, \"size\": " + WIDTH + "},"
                + "\"tokenizer\": {\"version\": 1, \"path\": \"" + DIR + "/tokenizer.json\"},"
                + "\"engine\": {\"version\": 1, \"n-threads\": 4, \"backend\": {\"version\": 1, \"type\": \"QnnHtp\","
                + " \"QnnHtp\": {\"version\": 1}}, \"model\": {\"version\": 1, \"type\": \"binary\","
                + " \"binary\": {\"version\": 1, \"ctx-bins\": [\"fastvlm_model_z8.bin\"]}}}}}");
    }

    @Test
    void fp16VisionEncoderFeedsTheDecoderThroughAHostLutGather() throws Exception {
        writeGreenOverWhite(work.resolve("pixels.raw"));
        Files.writeString(work.resolve("list.txt"), "%comment\n" + DIR + "/pixels.raw\n");
        Run vision = run("qnn-net-run", "--backend", "libQnnHtp.so", "--retrieve_context",
                EmulatedBundle.VISION_ENCODER_FP16, "--input_list", "list.txt", "--use_native_input_files",
                "--use_native_output_files", "--output_dir", "out/v");
        assertThat(vision.exitCode()).as(vision.err()).isZero();
        ByteBuffer features = ByteBuffer.wrap(Files.readAllBytes(work.resolve("out/v/Result_0/image_features_native.raw")))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(features.capacity()).isEqualTo(256 * WIDTH * 2);
        // text rows gathered on the host from LUT.bin, as the library's host embedder would
        int[] prompt = {151644, 872, 198, 3838, 374, 419, 30, 151645};
        ByteBuffer combined = ByteBuffer.allocate((256 + prompt.length) * WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 256 * WIDTH; i++) {
            combined.putFloat(Fp16.toFloat(features.getShort(i * 2)));
        }
        try (FileChannel lut = FileChannel.open(work.resolve(EmulatedBundle.LUT))) {
            for (int id : prompt) {
                ByteBuffer row = ByteBuffer.allocate(WIDTH * 4);
                lut.read(row, (long) id * WIDTH * 4);
                combined.put(row.array());
            }
        }
        Files.write(work.resolve("combined.raw"), combined.array());
        writeConfig("genie.json", 512);
        Run genie = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw", "-t", "LUT.bin");
        assertThat(genie.exitCode()).as(genie.err()).isZero();
        assertThat(genie.out()).contains("[BEGIN]: Emulated FastVLM answer: the image is green at the top and white at"
                + " the bottom. The image came before the text. You asked: \"").endsWith("\"[END]\n");

        Run tokens = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw", "--embedding_query_output_type",
                "token");
        assertThat(tokens.out()).containsPattern("\\[BEGIN]: (\\d+ )+\\[END]\n");

        writeConfig("tiny.json", 100);
        Run exceeded = run("genie-t2t-run", "-c", "tiny.json", "-e", "combined.raw");
        assertThat(exceeded.exitCode()).isNotZero();
        assertThat(exceeded.err()).contains("exceeds the context size 100");
    }

    @Test
    void floatOutputsKeepTheirNameAndNonNativeOutputsAreFloat32() throws Exception {
        ByteBuffer ids = ByteBuffer.allocate(512 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 512; i++) {
            ids.putInt(i == 0 ? 9707 : 151643);
        }
        Files.write(work.resolve("ids.raw"), ids.array());
        Files.writeString(work.resolve("ids.txt"), "input_ids:=ids.raw\n");
        Run r = run("qnn-net-run", "--backend", "libQnnHtp.so", "--retrieve_context", EmulatedBundle.TEXT_EMBEDDER,
                "--input_list", "ids.txt", "--use_native_input_files", "--output_dir", "out/e");
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path out = work.resolve("out/e/Result_0/output_0.raw");
        assertThat(out).hasSize(512L * WIDTH * 4);
        ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(out)).order(ByteOrder.LITTLE_ENDIAN);
        for (int j = 0; j < WIDTH; j++) {
            assertThat(f.getFloat(j * 4)).isEqualTo(EmulatedEncoding.textValue(9707, j));
        }
    }

    @Test
    void inputFilesOfTheWrongSizeAreRefused() throws Exception {
        Files.write(work.resolve("short.raw"), new byte[100]);
        Files.writeString(work.resolve("short.txt"), "short.raw\n");
        Run r = run("qnn-net-run", "--backend", "libQnnHtp.so", "--retrieve_context", EmulatedBundle.TEXT_EMBEDDER,
                "--input_list", "short.txt", "--use_native_input_files");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("has 100 bytes; tensor input_ids (QNN_DATATYPE_INT_32, native, [1, 512]) needs 2048");
    }

    @Test
    void exclusiveOptionsAndMissingFilesAreErrors() throws Exception {
        writeConfig("genie.json", 512);
        assertThat(run("genie-t2t-run", "-c", "genie.json", "-e", "a.raw", "-p", "hi").err())
                .contains("cannot be combined");
        assertThat(run("genie-t2t-run", "-c", "genie.json", "-t", "LUT.bin", "-p", "hi").err())
                .contains("--embedding_table needs --embedding_file");
        assertThat(run("genie-t2t-run", "-c", "nothere.json", "-p", "hi").err()).contains("failed to open config file");
        Files.writeString(work.resolve("bad.json"), "{\"dialog\": {\"version\": 1}, \"extra\": 1}");
        assertThat(run("genie-t2t-run", "-c", "bad.json", "-p", "hi").err()).contains("JSON schema error");
        Run prompt = run("genie-t2t-run", "-c", "genie.json", "-p", "Hello there");
        assertThat(prompt.exitCode()).as(prompt.err()).isZero();
        assertThat(prompt.out()).contains("[PROMPT]: Hello there\n").contains("no image reached me.")
                .contains("You asked: \"Hello there\"");
        assertThat(run("qnn-context-binary-utility", "--context_binary", "LUT.bin", "--json_file", "o.json").err())
                .contains("is not an emulated QNN context binary");
    }

    @Test
    void injectedFaultsMakeToolsFailOrHang() throws Exception {
        writeConfig("genie.json", 512);
        Run failing = run(Map.of(ToolEnvironment.FAIL_TOOLS, "genie-t2t-run=7"), "genie-t2t-run", "-c", "genie.json",
                "-p", "hi");
        assertThat(failing.exitCode()).isEqualTo(7);
        assertThat(failing.err()).contains("fault injected");
        AtomicInteger code = new AtomicInteger(-1);
        Thread hanging = new Thread(() -> code.set(run(Map.of(ToolEnvironment.HANG_TOOLS, "qnn-net-run"),
                "qnn-net-run", "--backend", "libQnnHtp.so").exitCode()));
        hanging.start();
        hanging.join(300);
        assertThat(hanging.isAlive()).isTrue();
        hanging.interrupt();
        hanging.join(5000);
        assertThat(code.get()).isEqualTo(130);
    }
}

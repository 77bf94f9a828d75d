package dev.fastvlm.emulator.tools;

import dev.fastvlm.genie.conformance.RealFiles;
import dev.fastvlm.emulator.ToolEnvironment;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.model.EmulatedEncoding;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.genie.profile.GenieProfile;
import dev.fastvlm.genie.profile.ProfileEvent;
import dev.fastvlm.genie.profile.ProfileMetric;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnGraph;
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
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
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
        writeConfig(name, contextSize, "");
    }

    /** A dialog config Genie accepts; {@code embedding} adds keys to the embedding block. */
    static void writeConfig(String name, int contextSize, String embedding) throws Exception {
        Files.writeString(work.resolve(name), "{\"dialog\": {\"version\": 1, \"type\": \"basic\","
                + "\"context\": {\"version\": 1, \"size\": " + contextSize + ", \"n-vocab\": 151936, \"bos-token\": 151644,"
                + " \"eos-token\": [151645, 151643]}, \"embedding\": {\"version\": 1, \"size\": " + WIDTH + embedding + "},"
                + "\"tokenizer\": {\"version\": 1, \"path\": \"" + DIR + "/tokenizer.json\"},"
                + "\"engine\": {\"version\": 1, \"n-threads\": 4, \"backend\": {\"version\": 1, \"type\": \"QnnHtp\","
                + " \"QnnHtp\": {\"version\": 1, \"spill-fill-bufsize\": 0, \"mmap-budget\": 0, \"use-mmap\": true,"
                + " \"cpu-mask\": \"0xe0\", \"poll\": false}}, \"model\": {\"version\": 1, \"type\": \"binary\","
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
                + " the bottom. The image came before the text. You asked: \"").endsWith("\"[END]\n\n");

        assertThat(genie.out()).startsWith("Using libGenie.so version 1.13.0 (fastvlm emulated)\n\n"
                + "Embedding file size: " + combined.capacity() + " bytes\n\n[BEGIN]: ").endsWith("[END]\n\n");
        String answer = genie.out().substring(genie.out().indexOf("[BEGIN]: "));

        // the 4-field -e form only describes the input's encoding for the table's requantization:
        // without a table the bytes reach the engine unchanged, so the answer is the same
        Run described = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw,uint16,0.5,7");
        Run plain = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw");
        assertThat(described.exitCode()).as(described.err()).isZero();
        assertThat(described.out()).isEqualTo(plain.out());
        // without a table Genie has no token-to-embedding callback: the answer ends after its first token
        assertThat(plain.out()).containsPattern("\\[BEGIN]: \\S+\\[END]\n\n$");
        assertThat(answer).startsWith(plain.out().substring(plain.out().indexOf("[BEGIN]: ")).replace("[END]\n\n", ""));
        // ... and with a float32 table there is no callback that requantizes float32 to uint16
        Run unsupported = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw,uint16,0.5,7", "-t", "LUT.bin");
        assertThat(unsupported.exitCode()).isEqualTo(1);
        assertThat(unsupported.err()).isEqualTo("Unsupported LUT requantization: float32 -> uint16\n");
        Run float32 = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw,float32,1,0", "-t", "LUT.bin");
        assertThat(float32.exitCode()).isEqualTo(1);
        assertThat(float32.err()).isEqualTo("ERROR: invalid datatype: float32\n");
        assertThat(float32.out()).isEmpty();

        // an engine that takes ufixed16 embeddings (scale 1/256, offset -32768): the file passes through
        // as 2-byte elements and a uint16 table with the same encodings is copied (rs 1, ro 0)
        ByteBuffer floats = ByteBuffer.wrap(combined.array()).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer u16 = ByteBuffer.allocate(combined.capacity() / 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < combined.capacity() / 4; i++) {
            u16.putShort((short) (Math.round(floats.getFloat(i * 4) * 256) + 32768));
        }
        Files.write(work.resolve("combined_u16.raw"), u16.array());
        ByteBuffer lutFloats = ByteBuffer.wrap(Files.readAllBytes(work.resolve(EmulatedBundle.LUT)))
                .order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer lut16 = ByteBuffer.allocate(lutFloats.capacity() / 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < lutFloats.capacity() / 4; i++) {
            lut16.putShort((short) (Math.round(lutFloats.getFloat(i * 4) * 256) + 32768));
        }
        Files.write(work.resolve("LUT_u16.bin"), lut16.array());
        writeConfig("genie_u16.json", 512, ", \"datatype\": \"ufixed16\", \"quant-param\": {\"scale\": 0.00390625,"
                + " \"offset\": -32768}");
        Run quantized = run("genie-t2t-run", "-c", "genie_u16.json", "-e", "combined_u16.raw,uint16,0.00390625,-32768",
                "-t", "LUT_u16.bin,uint16,0.00390625,-32768");
        assertThat(quantized.exitCode()).as(quantized.err()).isZero();
        assertThat(quantized.out().substring(quantized.out().indexOf("[BEGIN]: "))).isEqualTo(answer);
        // a float32 table for that engine: the callback copies 2-byte-element rows out of 4-byte ones
        Run mismatched = run("genie-t2t-run", "-c", "genie_u16.json", "-e", "combined_u16.raw", "-t", "LUT.bin");
        assertThat(mismatched.exitCode()).isEqualTo(1);
        assertThat(mismatched.err()).isEqualTo("Failed to query with embedding.\n");
        assertThat(mismatched.out()).contains("[ERROR] \"embedding row 256 is neither a row of the embedding table");

        Run tokens = run("genie-t2t-run", "-c", "genie.json", "-e", "combined.raw", "--embedding_query_output_type",
                "token");
        assertThat(tokens.out()).containsPattern("\\[BEGIN]: (\\d+ )+\\[END]\n\n");

        // a prompt longer than the context: a failed query, exit code 1, the reason on stdout
        writeConfig("tiny.json", 100);
        Run exceeded = run("genie-t2t-run", "-c", "tiny.json", "-e", "combined.raw");
        assertThat(exceeded.exitCode()).isEqualTo(1);
        assertThat(exceeded.err()).isEqualTo("Failed to query with embedding.\n");
        assertThat(exceeded.out()).contains("[WARN]  \"Context limit exceeded (0 + " + (256 + prompt.length)
                + " > 100)\"").doesNotContain("[BEGIN]");
        // room for the prompt but not for the whole answer: cut off without [END], exit code 1
        writeConfig("tight.json", 256 + prompt.length + 3);
        Run cut = run("genie-t2t-run", "-c", "tight.json", "-e", "combined.raw", "-t", "LUT.bin");
        assertThat(cut.exitCode()).isEqualTo(1);
        assertThat(cut.out()).contains("[BEGIN]: ").doesNotContain("[END]")
                .contains("[WARN]  \"Context limit exceeded (" + (256 + prompt.length + 3) + " + 1 > "
                        + (256 + prompt.length + 3) + ")\"");
        assertThat(cut.err()).isEqualTo("Failed to query with embedding.\n");
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

    static void writeIds(String name) throws Exception {
        ByteBuffer ids = ByteBuffer.allocate(512 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 512; i++) {
            ids.putInt(i == 0 ? 9707 : 151643);
        }
        Files.write(work.resolve(name), ids.array());
    }

    static Run embed(String list, String outputDir) {
        return run("qnn-net-run", "--backend", "libQnnHtp.so", "--retrieve_context", EmulatedBundle.TEXT_EMBEDDER,
                "--input_list", list, "--use_native_input_files", "--output_dir", outputDir);
    }

    @Test
    void inputListsDropOnlyALeadingHashLineAndThenALeadingPercentLine() throws Exception {
        writeIds("ids.raw");
        Files.writeString(work.resolve("both.txt"), "#comment\n%header\n\nids.raw\n\n");
        Run both = embed("both.txt", "out/l1");
        assertThat(both.exitCode()).as(both.err()).isZero();
        assertThat(work.resolve("out/l1/Result_0/output_0.raw")).exists();
        assertThat(work.resolve("out/l1/Result_1")).doesNotExist();

        // '%' first: the '#' line after it is an inference, whose file does not exist
        Files.writeString(work.resolve("swapped.txt"), "%header\n#comment\nids.raw\n");
        Run swapped = embed("swapped.txt", "out/l2");
        assertThat(swapped.exitCode()).isNotZero();
        assertThat(swapped.err()).contains("could not open input file /data/local/tmp/x/#comment");

        // a comment further down is an inference too (three entries for one input)
        Files.writeString(work.resolve("later.txt"), "ids.raw\n# a note\n");
        Run later = embed("later.txt", "out/l3");
        assertThat(later.exitCode()).isNotZero();
        assertThat(later.err()).contains("Incorrect amount of Input files for graph fastvlm_embed_tokens: expected 1,"
                + " received 3");

        // names count only when every entry of the first line has one
        Files.writeString(work.resolve("named.txt"), "input_ids:=ids.raw\n");
        assertThat(embed("named.txt", "out/l4").exitCode()).isZero();
        Files.writeString(work.resolve("misnamed.txt"), "tokens:=ids.raw\n");
        assertThat(embed("misnamed.txt", "out/l5").err()).contains("input list names tensor tokens, which graph"
                + " fastvlm_embed_tokens does not have");
    }

    @Test
    void qualcommsOwnInputListsAreReadWhole() throws Exception {
        for (Path real : RealFiles.files("qnn-net-run", ".txt")) {
            Path list = work.resolve("real-" + real.getFileName());
            Files.copy(real, list, StandardCopyOption.REPLACE_EXISTING);
            List<String> lines = Files.readAllLines(real).stream().filter(l -> !l.isEmpty()).toList();
            for (String line : lines) {
                Path input = work.resolve(line.strip());
                Files.createDirectories(input.getParent());
                writeIds(work.relativize(input).toString());
            }
            String out = "out/real-" + real.getFileName();
            Run r = embed(list.getFileName().toString(), out);
            assertThat(r.exitCode()).as(RealFiles.name(real) + ": " + r.err()).isZero();
            for (int k = 0; k < lines.size(); k++) {
                assertThat(work.resolve(out + "/Result_" + k + "/output_0.raw")).as(RealFiles.name(real)).exists();
            }
            assertThat(work.resolve(out + "/Result_" + lines.size())).doesNotExist();
        }
    }

    @Test
    void aContextOfSeveralGraphsWritesEachUnderItsGraphName() throws Exception {
        writeIds("ids.raw");
        Files.writeString(work.resolve("ids.txt"), "ids.raw\n");
        EmulatedGraph embedder = EmulatedGraph.read(work.resolve(EmulatedBundle.TEXT_EMBEDDER));
        EmulatedGraph.write(work.resolve("two_graphs.bin"), List.of(
                new EmulatedGraph(embedder.kind(), "embed_ar1", embedder.inputs(), embedder.outputs(), WIDTH),
                new EmulatedGraph(embedder.kind(), "embed_ar128", embedder.inputs(), embedder.outputs(), WIDTH)));
        Run r = run("qnn-net-run", "--backend", "libQnnHtp.so", "--retrieve_context", "two_graphs.bin",
                "--input_list", "ids.txt,ids.txt", "--use_native_input_files", "--output_dir", "out/multi");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(work.resolve("out/multi/embed_ar1/Result_0/output_0.raw")).hasSize(512L * WIDTH * 4);
        assertThat(work.resolve("out/multi/embed_ar128/Result_0/output_0.raw")).hasSize(512L * WIDTH * 4);
        assertThat(work.resolve("out/multi/Result_0")).doesNotExist();

        Run oneList = run("qnn-net-run", "--backend", "libQnnHtp.so", "--retrieve_context", "two_graphs.bin",
                "--input_list", "ids.txt", "--use_native_input_files", "--output_dir", "out/multi1");
        assertThat(oneList.exitCode()).isNotZero();
        assertThat(oneList.err()).contains("No Inputs available for: 1");

        Run info = run("qnn-context-binary-utility", "--context_binary", "two_graphs.bin", "--json_file", "two.json");
        assertThat(info.exitCode()).as(info.err()).isZero();
        ContextBinaryInfo parsed = ContextBinaryInfo.read(work.resolve("two.json"));
        assertThat(parsed.graphs()).extracting(QnnGraph::name).containsExactly("embed_ar1", "embed_ar128");
    }

    @Test
    void theProfileHasTheDialogsCreateQueryAndFreeEvents() throws Exception {
        writeConfig("genie.json", 512);
        Run r = run("genie-t2t-run", "-c", "genie.json", "-p", "Hello there", "--profile", "prof.json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        GenieProfile profile = GenieProfile.read(work.resolve("prof.json"));
        assertThat(profile.components()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("dialog0");
            assertThat(c.events()).extracting(ProfileEvent::type)
                    .containsExactly("GenieDialog_create", "GenieDialog_query", "GenieDialog_free");
            assertThat(c.events().get(2).metrics()).isEmpty();
            assertThat(c.events()).allSatisfy(e -> assertThat(e.metrics().values()).allMatch(ProfileMetric::genieUnit));
        });
        assertThat(profile.lastQuery().orElseThrow().generatedTokens()).isGreaterThan(5);
        Run again = run("genie-t2t-run", "-c", "genie.json", "-p", "Hello there", "--profile", "prof.json");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err()).isEqualTo("ERROR: Invalid --profile argument. Output file prof.json already exists.\n");
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
    void exclusiveOptionsAndMissingFilesAreErrorsOnTheRealStreams() throws Exception {
        writeConfig("genie.json", 512);
        Files.write(work.resolve("a.raw"), new byte[WIDTH * 4]);
        Run both = run("genie-t2t-run", "-c", "genie.json", "-e", "a.raw", "-p", "hi");
        assertThat(both.exitCode()).isEqualTo(1);
        assertThat(both.err()).isEqualTo("ERROR:: Please do not provide a text/token prompt and embedding prompt at the"
                + " same time.\n");
        assertThat(run("genie-t2t-run", "-c", "genie.json", "-t", "LUT.bin", "-p", "hi").err())
                .isEqualTo("ERROR:: Please provide an embedding file using --embedding_file.\n");
        // a file that cannot be read is reported on stdout, in argument order, before anything else
        for (String[] args : new String[][] {{"-c", "nothere.json", "-p", "hi"},
                {"-c", "genie.json", "-e", "nothere.json,uint8,1,0"}, {"-c", "genie.json", "-e", "a.raw", "-t", "nothere.json"},
                {"-c", "genie.json", "--prompt_file", "nothere.json"}}) {
            String[] full = new String[args.length + 1];
            full[0] = "genie-t2t-run";
            System.arraycopy(args, 0, full, 1, args.length);
            Run missing = run(full);
            assertThat(missing.exitCode()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(missing.out()).as(String.join(" ", args))
                    .isEqualTo("                   File nothere.json doesn't exists or is in bad shape.\n");
            assertThat(missing.err()).as(String.join(" ", args)).isEmpty();
        }
        Files.writeString(work.resolve("bad.json"), "{\"dialog\": {\"version\": 1}, \"extra\": 1}");
        Run bad = run("genie-t2t-run", "-c", "bad.json", "-p", "hi");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err()).isEqualTo("Failed to create the dialog config.\n");
        assertThat(bad.out()).contains("[ERROR] \"extra: Unknown dialog config key: extra\"")
                .contains("[ERROR] \"dialog.type: Missing dialog field: type\"");
        Run unknown = run("genie-t2t-run", "--bogus");
        assertThat(unknown.err()).isEqualTo("Unknown option: --bogus\n");
        assertThat(unknown.out()).contains("Usage: genie-t2t-run");
        Run prompt = run("genie-t2t-run", "-c", "genie.json", "-p", "Hello there");
        assertThat(prompt.exitCode()).as(prompt.err()).isZero();
        assertThat(prompt.out()).contains("[PROMPT]: Hello there\n\n").contains("no image reached me.")
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

    @Test
    void htpLibrariesFollowTheEmulatedChip() {
        Run r = run(Map.of(ToolEnvironment.SOC, "SM8550"), "qnn-net-run", "--backend", "libQnnHtp.so",
                "--retrieve_context", EmulatedBundle.TEXT_EMBEDDER, "--input_list", "ids.txt");
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains("library \"libQnnHtpV73Stub.so\" not found");
    }
}

package dev.fastvlm.emulator.tools;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.TestAdbClient;
import dev.fastvlm.emulator.TestAdbKey;
import dev.fastvlm.emulator.model.EmulatedBundle;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seed's flow, run by hand (as the library would) against the emulated device: push the
 * emulated SDK and bundle, run the vision encoder and text embedder with qnn-net-run, combine on
 * the host, and decode with genie-t2t-run.
 */
class EmulatedFlowTest {
    static final int WIDTH = 28;
    static final String DIR = "/data/local/tmp/fastvlm";
    static final String ENV = "cd " + DIR + " && export LD_LIBRARY_PATH=" + DIR + ":/vendor/dsp/cdsp:/vendor/lib64"
            + " ADSP_LIBRARY_PATH=\""
            + DIR + ";/vendor/dsp/cdsp\" && ";
    static final String PROMPT = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
            + "What is in the image?<|im_end|>\n<|im_start|>assistant\n";

    static Path host;
    static DeviceEmulator device;
    static TestAdbClient adb;

    @BeforeAll
    static void setUp() throws Exception {
        host = Files.createTempDirectory("emulated-flow");
        device = DeviceEmulator.start(TestAdbKey.options().build());
        adb = TestAdbClient.connect(device);
        Path sdk = EmulatedSdk.write(host.resolve("sdk"));
        Path bundle = EmulatedBundle.write(host.resolve("bundle"), WIDTH, EmulatedBundle.VisionPrecision.INT8);
        for (String p : EmulatedSdk.DEVICE_PROGRAMS) {
            push(sdk.resolve("bin/aarch64-android/" + p), 0755);
        }
        for (String lib : new String[] {"libGenie.so", "libQnnHtp.so", "libQnnSystem.so", "libQnnHtpV79Stub.so"}) {
            push(sdk.resolve("lib/aarch64-android/" + lib), 0644);
        }
        push(sdk.resolve("lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so"), 0644);
        for (String f : new String[] {EmulatedBundle.VISION_ENCODER_INT8, EmulatedBundle.TEXT_EMBEDDER,
                EmulatedBundle.DECODER, EmulatedBundle.LUT, EmulatedBundle.TOKENIZER}) {
            push(bundle.resolve(f), 0644);
        }
    }

    @AfterAll
    static void tearDown() throws Exception {
        adb.close();
        device.close();
    }

    static void push(Path file, int mode) throws Exception {
        adb.push(file, DIR + "/" + file.getFileName(), mode);
    }

    static TestAdbClient.ShellResult shell(String command) throws Exception {
        return adb.shell(ENV + command);
    }

    static Path pull(String remote) throws Exception {
        Path local = Files.createTempFile(host, "pulled", ".raw");
        adb.pull(remote, local);
        return local;
    }

    /** A 1024 x 1024 image, red on the left half and blue on the right, as uint8 HWC. */
    static byte[] leftRedRightBlue() {
        byte[] pixels = new byte[1024 * 1024 * 3];
        for (int y = 0; y < 1024; y++) {
            for (int x = 0; x < 1024; x++) {
                int i = (y * 1024 + x) * 3;
                if (x < 512) {
                    pixels[i] = (byte) 230;
                } else {
                    pixels[i + 2] = (byte) 220;
                }
            }
        }
        return pixels;
    }

    static float[] visionFeatures() throws Exception {
        Path pixels = host.resolve("pixel_values.raw");
        Files.write(pixels, leftRedRightBlue());
        push(pixels, 0644);
        Files.writeString(host.resolve("vision.txt"), "# vision\npixel_values:=" + DIR + "/pixel_values.raw\n");
        push(host.resolve("vision.txt"), 0644);
        TestAdbClient.ShellResult r = shell("./qnn-net-run --backend libQnnHtp.so --retrieve_context "
                + EmulatedBundle.VISION_ENCODER_INT8 + " --input_list vision.txt --use_native_input_files"
                + " --use_native_output_files --output_dir outputs/vision --num_inferences 1");
        assertThat(r.exitCode()).as(r.allOutput()).isZero();
        byte[] q = Files.readAllBytes(pull(DIR + "/outputs/vision/Result_0/image_features_native.raw"));
        assertThat(q).hasSize(256 * WIDTH);
        JsonNode info = new ObjectMapper().readTree(host.resolve("bundle/fastvlm_vision_encoder_int8_htp.json").toFile());
        JsonNode so = info.at("/info/graphs/0/info/graphOutputs/0/info/quantizeParams/scaleOffset");
        float scale = (float) so.get("scale").asDouble();
        int offset = so.get("offset").asInt();
        float[] f = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            f[i] = ((q[i] & 0xff) + offset) * scale;
        }
        return f;
    }

    static float[] textRows(long[] ids) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(512 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 512; i++) {
            b.putInt(i < ids.length ? (int) ids[i] : 151643);
        }
        Files.write(host.resolve("input_ids.raw"), b.array());
        push(host.resolve("input_ids.raw"), 0644);
        Files.writeString(host.resolve("embed.txt"), DIR + "/input_ids.raw\n");
        push(host.resolve("embed.txt"), 0644);
        TestAdbClient.ShellResult r = shell("./qnn-net-run --backend libQnnHtp.so --retrieve_context "
                + EmulatedBundle.TEXT_EMBEDDER + " --input_list embed.txt --use_native_input_files"
                + " --use_native_output_files --output_dir outputs/embed");
        assertThat(r.exitCode()).as(r.allOutput()).isZero();
        ByteBuffer h = ByteBuffer.wrap(Files.readAllBytes(pull(DIR + "/outputs/embed/Result_0/output_0_native.raw")))
                .order(ByteOrder.LITTLE_ENDIAN);
        assertThat(h.capacity()).isEqualTo(512 * WIDTH * 2);
        float[] f = new float[ids.length * WIDTH];
        for (int i = 0; i < f.length; i++) {
            f[i] = Fp16.toFloat(h.getShort(i * 2));
        }
        return f;
    }

    static void pushFloats(String name, float[]... parts) throws Exception {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] p : parts) {
            for (float v : p) {
                b.putFloat(v);
            }
        }
        Files.write(host.resolve(name), b.array());
        push(host.resolve(name), 0644);
    }

    static void pushConfig(String name, String extraDialog) throws Exception {
        String config = "{\"dialog\": {\"version\": 1, \"type\": \"basic\", " + extraDialog
                + "\"context\": {\"version\": 1, \"size\": 512, \"n-vocab\": 151936, \"bos-token\": 151644,"
                + " \"eos-token\": 151645, \"pad-token\": 151643},"
                + "\"embedding\": {\"version\": 1, \"size\": " + WIDTH + ", \"datatype\": \"float32\"},"
                + "\"tokenizer\": {\"version\": 1, \"path\": \"" + DIR + "/tokenizer.json\"},"
                + "\"engine\": {\"version\": 1, \"n-threads\": 6, \"backend\": {\"version\": 1, \"type\": \"QnnHtp\","
                + " \"QnnHtp\": {\"version\": 1, \"spill-fill-bufsize\": 0, \"mmap-budget\": 0, \"use-mmap\": true,"
                + " \"cpu-mask\": \"0xe0\", \"poll\": false}},"
                + " \"model\": {\"version\": 1, \"type\": \"binary\", \"binary\": {\"version\": 1, \"ctx-bins\": [\""
                + DIR + "/" + EmulatedBundle.DECODER + "\"]}}}}}";
        Files.writeString(host.resolve(name), config);
        push(host.resolve(name), 0644);
    }

    @Test
    void describesTheImageThatReachedItAndEchoesTheQuestion() throws Exception {
        long[] ids;
        String firstFive;
        String answer = "Emulated FastVLM answer: the image is red on the left and blue on the right."
                + " The image came before the text. You asked: \"What is in the image?\"";
        try (HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.builder()
                .optTokenizerPath(host.resolve("bundle/tokenizer.json")).optAddSpecialTokens(false).build()) {
            ids = tokenizer.encode(PROMPT).getIds();
            firstFive = tokenizer.decode(Arrays.copyOf(tokenizer.encode(answer).getIds(), 5), false);
        }
        float[] vision = visionFeatures();
        float[] text = textRows(ids);
        pushFloats("combined.raw", vision, text);
        pushConfig("genie.json", "\"stop-sequence\": [\"<|im_end|>\"], ");
        TestAdbClient.ShellResult r = shell("./genie-t2t-run -c genie.json -e combined.raw -t " + EmulatedBundle.LUT
                + " --embedding_query_output_type text --profile profile.json");
        assertThat(r.exitCode()).as(r.allOutput()).isZero();
        assertThat(r.stdout()).isEqualTo("Using libGenie.so version 1.13.0 (fastvlm emulated)\n\n"
                + "Embedding file size: " + (256 + ids.length) * WIDTH * 4 + " bytes\n\n"
                + "[BEGIN]: " + answer + "[END]\n\n");
        assertThat(r.stderr()).isEmpty();
        JsonNode profile = new ObjectMapper().readTree(device.hostPath(DIR + "/profile.json").toFile());
        assertThat(profile.at("/header/artifact_type").asText()).isEqualTo("GENIE_PROFILE");
        JsonNode query = profile.at("/components/0/events/1");
        assertThat(query.get("type").asText()).isEqualTo("GenieDialog_query");
        assertThat(query.at("/num-prompt-tokens/value").asInt()).isEqualTo(256 + ids.length);
        assertThat(query.at("/num-generated-tokens/value").asInt()).isGreaterThan(10);
        assertThat(profile.at("/components/0/events/2/type").asText()).isEqualTo("GenieDialog_free");

        TestAdbClient.ShellResult again = shell("./genie-t2t-run -c genie.json -e combined.raw --profile profile.json");
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.stderr()).isEqualTo("ERROR: Invalid --profile argument. Output file profile.json"
                + " already exists.\n");

        // a token budget
        pushConfig("short.json", "\"max-num-tokens\": 5, ");
        TestAdbClient.ShellResult budget = shell("./genie-t2t-run -c short.json -e combined.raw -t " + EmulatedBundle.LUT);
        assertThat(budget.exitCode()).as(budget.allOutput()).isZero();
        assertThat(firstFive).isNotEmpty();
        assertThat(budget.stdout()).endsWith("[BEGIN]: " + firstFive + "[END]\n\n");

        // the placeholder layout (text, image, text) and a stop sequence
        int split = 12;
        pushFloats("spliced.raw", Arrays.copyOf(text, split * WIDTH), vision,
                Arrays.copyOfRange(text, split * WIDTH, text.length));
        pushConfig("stop.json", "\"stop-sequence\": [\" You asked\"], ");
        TestAdbClient.ShellResult spliced = shell("./genie-t2t-run -c stop.json -e spliced.raw -t " + EmulatedBundle.LUT);
        assertThat(spliced.exitCode()).as(spliced.allOutput()).isZero();
        assertThat(spliced.stdout()).contains("[BEGIN]: Emulated FastVLM answer: the image is red on the left and"
                + " blue on the right. The image came inside the text, after \"").endsWith("\".[END]\n\n")
                .doesNotContain("You asked");

        // vision features left quantized (dequantization skipped upstream) fail the tool
        float[] raw = new float[vision.length];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = Math.round(vision[i] / (1f / 128f)) + 64;
        }
        pushFloats("wrong.raw", raw, text);
        TestAdbClient.ShellResult wrong = shell("./genie-t2t-run -c genie.json -e wrong.raw");
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.stdout()).contains("embedding row 0 is neither a row of the embedding table");
        assertThat(wrong.stderr()).isEqualTo("Failed to query with embedding.\n");

        // a missing table is reported on stdout, with an empty stderr and exit code 1
        TestAdbClient.ShellResult noTable = shell("./genie-t2t-run -c genie.json -e combined.raw -t missing_LUT.bin");
        assertThat(noTable.exitCode()).isEqualTo(1);
        assertThat(noTable.stdout()).isEqualTo("                   File missing_LUT.bin doesn't exists or is in bad"
                + " shape.\n");
        assertThat(noTable.stderr()).isEmpty();

        // float32 is not a TYPE of the 4-field spec; a described -e without a table passes through unchanged
        TestAdbClient.ShellResult float32 = shell("./genie-t2t-run -c genie.json -e combined.raw,float32,1,0");
        assertThat(float32.exitCode()).isEqualTo(1);
        assertThat(float32.stderr()).isEqualTo("ERROR: invalid datatype: float32\n");
        TestAdbClient.ShellResult described = shell("./genie-t2t-run -c genie.json -e combined.raw,int16,0.25,3");
        TestAdbClient.ShellResult plain = shell("./genie-t2t-run -c genie.json -e combined.raw");
        assertThat(described.exitCode()).as(described.allOutput()).isZero();
        assertThat(described.stdout()).isEqualTo(plain.stdout());

        // a context too small for the prompt: a failed query with exit code 1, not a warning code
        pushConfig("small.json", "");
        Files.writeString(host.resolve("small.json"), Files.readString(host.resolve("small.json"))
                .replace("\"size\": 512", "\"size\": 64"));
        push(host.resolve("small.json"), 0644);
        TestAdbClient.ShellResult exceeded = shell("./genie-t2t-run -c small.json -e combined.raw -t " + EmulatedBundle.LUT);
        assertThat(exceeded.exitCode()).isEqualTo(1);
        assertThat(exceeded.stdout()).contains("Context limit exceeded (0 + " + (256 + ids.length) + " > 64)");
        assertThat(exceeded.stderr()).isEqualTo("Failed to query with embedding.\n");
    }

    @Test
    void toolErrorsFollowTheRealContracts() throws Exception {
        TestAdbClient.ShellResult unknown = shell("./qnn-net-run --bogus 1");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.stderr()).startsWith("Unknown option: --bogus\n").contains("USAGE:");

        TestAdbClient.ShellResult noLibs = adb.shell("cd " + DIR + " && ./genie-t2t-run -c genie.json -p hi");
        assertThat(noLibs.exitCode()).isNotZero();
        assertThat(noLibs.stderr()).contains("library \"libGenie.so\" not found");

        TestAdbClient.ShellResult noSkel = adb.shell("cd " + DIR + " && LD_LIBRARY_PATH=" + DIR + " ./qnn-net-run --backend"
                + " libQnnHtp.so --retrieve_context " + EmulatedBundle.TEXT_EMBEDDER + " --input_list embed.txt");
        assertThat(noSkel.exitCode()).isNotZero();
        assertThat(noSkel.stderr()).contains("libQnnHtpV79Skel.so");

        Files.write(host.resolve("ragged.raw"), new byte[WIDTH * 4 + 3]);
        push(host.resolve("ragged.raw"), 0644);
        pushConfig("genie.json", "");
        TestAdbClient.ShellResult ragged = shell("./genie-t2t-run -c genie.json -e ragged.raw");
        assertThat(ragged.exitCode()).isEqualTo(1);
        assertThat(ragged.stdout()).contains("The embeddings buffer size must be an integer multiple of the"
                + " embedding vector size in bytes. (" + (WIDTH * 4 + 3) + " bytes, " + WIDTH * 4 + " per token");
        assertThat(ragged.stderr()).isEqualTo("Failed to query with embedding.\n");

        TestAdbClient.ShellResult missing = shell("./qnn-net-run --backend libQnnHtp.so --retrieve_context none.bin"
                + " --input_list embed.txt");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.stderr()).contains("none.bin: No such file or directory");
    }

    @Test
    void contextBinaryUtilityWritesTheRealLayout() throws Exception {
        Path json = host.resolve("ctx.json");
        Process p = new ProcessBuilder(host.resolve("sdk/bin/x86_64-linux-clang/qnn-context-binary-utility").toString(),
                "--context_binary", host.resolve("bundle/" + EmulatedBundle.VISION_ENCODER_INT8).toString(),
                "--json_file", json.toString()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(output).isZero();
        JsonNode out = new ObjectMapper().readTree(json.toFile()).at("/info/graphs/0/info/graphOutputs/0/info");
        assertThat(out.get("name").asText()).isEqualTo("image_features");
        assertThat(out.get("dataType").asText()).isEqualTo("QNN_DATATYPE_UFIXED_POINT_8");
        assertThat(out.at("/quantizeParams/scaleOffset/scale").asDouble()).isEqualTo(1.0 / 128);
        assertThat(out.at("/quantizeParams/scaleOffset/offset").asInt()).isEqualTo(-64);
        assertThat(out.get("dimensions").toString()).isEqualTo("[1,256," + WIDTH + "]");
    }
}

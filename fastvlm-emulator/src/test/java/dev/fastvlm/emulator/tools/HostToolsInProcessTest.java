package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.model.EmulatedCheckpoint;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The emulated SDK's host tools in this JVM: the chain's stages and the command lines they refuse. */
class HostToolsInProcessTest {
    private static final int WIDTH = 28;
    private static final int PIXELS = 3 * 1024 * 1024;

    @TempDir
    static Path root;
    static Path sdk;
    static Path checkpoint;

    record Run(int exitCode, String out, String err) {
    }

    @BeforeAll
    static void setUp() throws Exception {
        sdk = EmulatedSdk.write(root.resolve("sdk"), "java", "unused");
        checkpoint = EmulatedCheckpoint.write(root.resolve("checkpoint"), WIDTH);
        writeCalibration(root.resolve("calib0.raw"), 0.2f, 0.8f);
        writeCalibration(root.resolve("calib1.raw"), 0.25f, 0.5f);
        Files.writeString(root.resolve("list.txt"), root.resolve("calib0.raw") + "\npixel_values:="
                + root.resolve("calib1.raw") + "\n");
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = EmulatedTools.run(args, new ToolContext(Map.of(), root), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private static void writeCalibration(Path file, float low, float high) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(PIXELS * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < PIXELS; i++) {
            b.putFloat(i % 2 == 0 ? low : high);
        }
        Files.write(file, b.array());
    }

    private static String[] convertInt8(String out, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of(OnnxConverter.NAME, "--input_network",
                checkpoint.resolve(EmulatedCheckpoint.VISION_EXPORT).toString(), "--input_dim", "pixel_values",
                "1,3,1024,1024", "--input_layout", "pixel_values", "NCHW", "--input_list", "list.txt",
                "--act_bitwidth", "8", "--weights_bitwidth", "8", "--bias_bitwidth", "8", "--act_quantizer", "tf",
                "--out_node", "image_features", "-o", out));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void theConverterCalibratesThePixelInputFromTheDataOrTheOverrides() throws Exception {
        assertThat(run(convertInt8("minmax/m.cpp")).exitCode()).isZero();
        TensorSpec input = EmulatedGraph.readAll(root.resolve("minmax/m.cpp"), EmulatedGraph.Stage.CONVERTED_MODEL)
                .get(0).inputs().get(0);
        assertThat(input.dataType()).isEqualTo(QnnDataType.UFIXED_POINT_8);
        assertThat(input.dimensions()).containsExactly(1, 1024, 1024, 3);
        // min-max over both files: [0 (zero is always in range), 0.8]
        Quantization.PerTensor q = (Quantization.PerTensor) input.quantization().orElseThrow();
        assertThat(q.scale()).isEqualTo(0.8f / 255f);
        assertThat(q.offset()).isZero();

        Files.writeString(root.resolve("pin.json"), "{\"activation_encodings\": {\"pixel_values\": [{\"bitwidth\": 8,"
                + " \"min\": 0.0, \"max\": 1.0}]}, \"param_encodings\": {}}");
        assertThat(run(convertInt8("pinned/m.cpp", "--quantization_overrides", "pin.json")).exitCode()).isZero();
        q = (Quantization.PerTensor) EmulatedGraph.readAll(root.resolve("pinned/m.cpp"),
                EmulatedGraph.Stage.CONVERTED_MODEL).get(0).inputs().get(0).quantization().orElseThrow();
        assertThat(q.scale()).isEqualTo(1f / 255f);
        assertThat(Files.readString(root.resolve("pinned/m.bin"))).isEqualTo(Files.readString(root.resolve("pinned/m.cpp")));
    }

    @Test
    void theConverterRefusesBadCommandLinesAndInputs() throws Exception {
        Files.write(root.resolve("short.raw"), new byte[100]);
        Files.writeString(root.resolve("short.txt"), root.resolve("short.raw") + "\n");
        Run wrongSize = run(convertInt8("x/m.cpp", "--input_list", "short.txt"));
        assertThat(wrongSize.exitCode()).isEqualTo(1);
        assertThat(wrongSize.err()).contains("option --input_list given 2 times");
        String[] args = convertInt8("x/m.cpp");
        args[10] = "short.txt";
        Run sized = run(args);
        assertThat(sized.err()).contains("ERROR: calibration input " + root.resolve("short.raw") + " is 100 bytes,"
                + " the input pixel_values [1, 3, 1024, 1024] float32 needs " + PIXELS * 4L);
        Run unknown = run(convertInt8("x/m.cpp", "--bogus"));
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("Unknown option: --bogus").contains(OnnxConverter.USAGE);
        args = convertInt8("x/m.cpp");
        args[5] = "1,3,512,512";
        assertThat(run(args).err()).contains("--input_dim pixel_values 1,3,512,512 does not match the model's input"
                + " shape [1, 3, 1024, 1024]");
        Run notOnnx = run(OnnxConverter.NAME, "--input_network", "list.txt", "-o", "x/m.cpp");
        assertThat(notOnnx.err()).contains("is not an emulated ONNX export");
        assertThat(root.resolve("x")).doesNotExist();
    }

    @Test
    void libraryThenContextBinaryThenInfo() throws Exception {
        assertThat(run(OnnxConverter.NAME, "--input_network", checkpoint.resolve(EmulatedCheckpoint.EMBEDDER_EXPORT)
                .toString(), "--float_bitwidth", "16", "--out_node", "inputs_embeds", "-o", "e/e.cpp").exitCode()).isZero();
        Run badTarget = run(ModelLibGenerator.NAME, "-c", "e/e.cpp", "-b", "e/e.bin", "-t", "arm-linux", "-l", "e",
                "-o", "e/lib");
        assertThat(badTarget.err()).contains("unknown target arm-linux");
        assertThat(run(ModelLibGenerator.NAME, "-c", "e/e.cpp", "-b", "e/e.bin", "-t", "x86_64-linux-clang", "-l", "e",
                "-o", "e/lib").exitCode()).isZero();
        String lib = "e/lib/x86_64-linux-clang/libe.so";
        String backend = sdk.resolve("lib/x86_64-linux-clang/libQnnHtp.so").toString();

        Run wrongBackend = run(ContextBinaryGenerator.NAME, "--backend", sdk.resolve("lib/aarch64-android/libQnnHtp.so")
                .toString(), "--model", lib, "--binary_file", "e", "--output_dir", "out");
        assertThat(wrongBackend.err()).contains("--backend must be the SDK's libQnnHtp.so for x86_64-linux-clang");
        Files.writeString(root.resolve("htp.json"), "{\"devices\": [{\"soc_model\": 69}]}");
        Files.writeString(root.resolve("ctx.json"), "{\"backend_extensions\": {\"shared_library_path\": \""
                + sdk.resolve("lib/x86_64-linux-clang/libQnnHtpNetRunExtensions.so") + "\", \"config_file_path\":"
                + " \"htp.json\"}}");
        Run noArch = run(ContextBinaryGenerator.NAME, "--backend", backend, "--model", lib, "--binary_file", "e",
                "--output_dir", "out", "--config_file", "ctx.json");
        assertThat(noArch.err()).contains("htp.json: devices[0].dsp_arch must name the HTP architecture");
        Run fromCpp = run(ContextBinaryGenerator.NAME, "--backend", backend, "--model", "e/e.cpp", "--binary_file", "e",
                "--output_dir", "out");
        assertThat(fromCpp.err()).contains("is not an emulated model library");

        Files.writeString(root.resolve("htp.json"), "{\"devices\": [{\"soc_model\": 69, \"dsp_arch\": \"v79\"}]}");
        assertThat(run(ContextBinaryGenerator.NAME, "--backend", backend, "--model", lib, "--binary_file", "e",
                "--output_dir", "out", "--config_file", "ctx.json").exitCode()).isZero();
        EmulatedGraph graph = EmulatedGraph.read(root.resolve("out/e.bin"));
        assertThat(graph.kind()).isEqualTo(EmulatedGraph.Kind.TEXT_EMBEDDER);
        assertThat(graph.outputs().get(0).dataType()).isEqualTo(QnnDataType.FLOAT_16);
        assertThat(graph.outputs().get(0).dimensions()).containsExactly(1, 512, WIDTH);
        assertThat(run(ContextBinaryUtility.NAME, "--context_binary", "out/e.bin", "--json_file", "out/e.json")
                .exitCode()).isZero();
        assertThat(Files.readString(root.resolve("out/e.json"))).contains("\"QNN_DATATYPE_FLOAT_16\"");
    }

    @Test
    void theComposerChecksItsCheckpointAndQuantization() throws Exception {
        assertThat(run(GenAiComposer.NAME, "--model", checkpoint.toString(), "--outfile", "d.bin", "--quantize", "Z9")
                .err()).contains("--quantize must be one of Z4, Z4_FP16, Z8, Q4, was Z9");
        assertThat(run(GenAiComposer.NAME, "--model", sdk.toString(), "--outfile", "d.bin").err())
                .contains("has no config.json");
        assertThat(run(GenAiComposer.NAME, "--model", checkpoint.toString(), "--outfile", "d.bin", "--quantize", "Z8")
                .exitCode()).isZero();
        EmulatedGraph decoder = EmulatedGraph.read(root.resolve("d.bin"));
        assertThat(decoder.kind()).isEqualTo(EmulatedGraph.Kind.DECODER);
        assertThat(decoder.width()).isEqualTo(WIDTH);
    }
}

package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.model.EmulatedEncoding;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Emulated {@code qnn-net-run}: the real flags, input-list format and output layout
 * ({@code <output_dir>/Result_<k>/<name>.raw}, or {@code <name>_native.raw} for non-float32
 * tensors with {@code --use_native_output_files}; a context of several graphs writes each under
 * {@code <output_dir>/<graphName>/}); runs the emulated graphs.
 *
 * <p>Input lists are read as QNN's own reader reads them (docs/qualcomm-formats.md): empty lines
 * are skipped, then only a first line starting with {@code #} and after it a first line starting
 * with {@code %} are dropped; every other line is an inference whose entries are separated by
 * single spaces, each a path or {@code name:=path} (names count only when every entry of the first
 * line has one). {@code --input_list} may name one list per graph, separated by commas.
 */
final class QnnNetRun {
    static final String NAME = "qnn-net-run";
    private static final Set<String> VALUE_FLAGS = Set.of("--backend", "--retrieve_context", "--model",
            "--input_list", "--output_dir", "--num_inferences", "--perf_profile", "--profiling_level",
            "--config_file", "--log_level", "--op_packages", "--batch_multiplier", "--duration");
    private static final Set<String> SWITCHES = Set.of("--use_native_input_files", "--use_native_output_files",
            "--debug", "--keep_num_outputs", "--synchronous", "--version", "--help");
    static final String USAGE = """
            USAGE: qnn-net-run (fastvlm emulated) --backend <lib> (--retrieve_context <ctx.bin> | --model <lib.so>)
                   --input_list <file> [--output_dir <dir>] [--use_native_input_files] [--use_native_output_files]
                   [--num_inferences <n>] [--perf_profile <profile>] [--profiling_level basic|detailed|backend|client]
                   [--config_file <json>] [--log_level error|warn|info|verbose|debug]""";

    private final ToolContext ctx;
    private final PrintStream out;

    QnnNetRun(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    int run(String[] args) throws IOException {
        Options o = parse(args);
        if (o.backend == null) {
            throw new ToolFailure("ERROR: --backend is required", 1, true);
        }
        if (o.model != null) {
            throw new ToolFailure("ERROR: --model libraries cannot run on the emulated device; use --retrieve_context");
        }
        if (o.context == null || o.inputList == null) {
            throw new ToolFailure("ERROR: --retrieve_context and --input_list are required", 1, true);
        }
        ctx.requireLd(o.backend);
        if (Path.of(o.backend).getFileName().toString().equals("libQnnHtp.so")) {
            ctx.requireLd("libQnnHtpV" + ctx.htpArch() + "Stub.so");
            ctx.requireAdsp("libQnnHtpV" + ctx.htpArch() + "Skel.so");
        }
        ctx.requireLd("libQnnSystem.so");
        Path contextFile = ctx.path(o.context);
        if (!Files.isRegularFile(contextFile)) {
            throw new ToolFailure("ERROR: could not read context binary " + o.context + ": No such file or directory");
        }
        List<EmulatedGraph> graphs;
        try {
            graphs = EmulatedGraph.readAll(contextFile);
        } catch (IOException e) {
            throw new ToolFailure("ERROR: failed to retrieve context: " + e.getMessage());
        }
        if (graphs.get(0).kind() == EmulatedGraph.Kind.DECODER) {
            throw new ToolFailure("ERROR: " + o.context + " holds a decoder; run it with genie-t2t-run");
        }
        List<List<List<String>>> lists = new ArrayList<>();
        for (String list : o.inputList.split(",")) {
            Path listFile = ctx.path(list);
            if (!Files.isRegularFile(listFile)) {
                throw new ToolFailure("ERROR: could not open input list " + list);
            }
            lists.add(inputList(listFile));
        }
        // A real qnn-net-run loads the context onto the NPU on every run, before its first inference.
        ctx.sleep(ctx.timing().contextLoadMillis());
        Path outputDir = ctx.path(o.outputDir);
        int total = 0;
        for (int g = 0; g < graphs.size(); g++) {
            EmulatedGraph graph = graphs.get(g);
            if (g >= lists.size()) {
                throw new ToolFailure("ERROR: No Inputs available for: " + g + " (graph " + graph.graphName() + ")");
            }
            List<List<Path>> inferences = byInput(lists.get(g), graph);
            int count = o.numInferences < 0 ? inferences.size() : Math.min(o.numInferences, inferences.size());
            Path graphDir = graphs.size() > 1 ? outputDir.resolve(graph.graphName()) : outputDir;
            for (int k = 0; k < count; k++) {
                ctx.sleep(graph.kind() == EmulatedGraph.Kind.VISION_ENCODER ? ctx.timing().visionEncoderMillis()
                        : ctx.timing().textEmbedderMillis());
                List<Path> inputs = inferences.get(k);
                byte[] input = readInput(inputs.get(0), graph.inputs().get(0), o.nativeInputs);
                float[] result = graph.kind() == EmulatedGraph.Kind.VISION_ENCODER
                        ? encodeImage(input, graph.inputs().get(0), o.nativeInputs, graph.width())
                        : embedTokens(input, graph.inputs().get(0), o.nativeInputs, graph.width());
                Path resultDir = Files.createDirectories(graphDir.resolve("Result_" + k));
                TensorSpec output = graph.outputs().get(0);
                writeOutput(resultDir, output, result, o.nativeOutputs);
            }
            total += count;
            out.println("qnn-net-run (fastvlm emulated): " + count + " inference(s) of graph " + graph.graphName()
                    + " finished");
        }
        if (o.profilingLevel != null) {
            Files.createDirectories(outputDir);
            Files.writeString(outputDir.resolve("qnn-profiling-data_0.log"),
                    "fastvlm emulated profiling data (" + o.profilingLevel + "): " + total + " inference(s)\n");
        }
        return 0;
    }

    private static final class Options {
        String backend;
        String context;
        String model;
        String inputList;
        String outputDir = "./output";
        String profilingLevel;
        int numInferences = -1;
        boolean nativeInputs;
        boolean nativeOutputs;
    }

    private Options parse(String[] args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (SWITCHES.contains(a)) {
                switch (a) {
                    case "--use_native_input_files" -> o.nativeInputs = true;
                    case "--use_native_output_files" -> o.nativeOutputs = true;
                    case "--help" -> throw new ToolFailure("", 0, true);
                    default -> {
                    }
                }
                continue;
            }
            if (!VALUE_FLAGS.contains(a)) {
                throw ToolFailure.unknownOption(a);
            }
            if (i + 1 >= args.length) {
                throw new ToolFailure("ERROR: option " + a + " needs a value", 1, true);
            }
            String v = args[++i];
            switch (a) {
                case "--backend" -> o.backend = v;
                case "--retrieve_context" -> o.context = v;
                case "--model" -> o.model = v;
                case "--input_list" -> o.inputList = v;
                case "--output_dir" -> o.outputDir = v;
                case "--profiling_level" -> o.profilingLevel = v;
                case "--num_inferences" -> {
                    try {
                        o.numInferences = Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw new ToolFailure("ERROR: --num_inferences needs a number, got " + v);
                    }
                }
                default -> {
                }
            }
        }
        return o;
    }

    /** Reads an input list as QNN's reader does (see the class comment). */
    private static List<List<String>> inputList(Path listFile) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line : Files.readAllLines(listFile)) {
            if (!line.isEmpty()) {
                lines.add(line);
            }
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("#")) {
            lines.remove(0);
        }
        if (!lines.isEmpty() && lines.get(0).startsWith("%")) {
            lines.remove(0);
        }
        List<List<String>> entries = new ArrayList<>();
        for (String line : lines) {
            List<String> words = new ArrayList<>();
            for (String word : line.split(" ")) {
                if (!word.isEmpty()) {
                    words.add(word);
                }
            }
            entries.add(words);
        }
        return entries;
    }

    /** Each inference's files in the graph's input order. */
    private List<List<Path>> byInput(List<List<String>> lines, EmulatedGraph graph) {
        if (lines.isEmpty()) {
            throw new ToolFailure("ERROR: the input list for graph " + graph.graphName() + " has no inputs");
        }
        // names count only when every entry of the first line has one
        boolean named = lines.get(0).stream().allMatch(e -> e.contains(":="));
        List<List<Path>> inferences = new ArrayList<>();
        for (List<String> entries : lines) {
            Path[] ordered = new Path[graph.inputs().size()];
            for (int i = 0; i < entries.size(); i++) {
                String e = entries.get(i);
                int sep = e.indexOf(":=");
                String file = sep < 0 ? e : e.substring(sep + 2);
                int slot = i;
                if (named && sep >= 0) {
                    String name = e.substring(0, sep);
                    slot = indexOf(graph.inputs(), name);
                    if (slot < 0) {
                        throw new ToolFailure("ERROR: input list names tensor " + name + ", which graph "
                                + graph.graphName() + " does not have");
                    }
                }
                if (slot >= ordered.length) {
                    throw new ToolFailure("ERROR: Incorrect amount of Input files for graph " + graph.graphName()
                            + ": expected " + ordered.length + ", received " + entries.size());
                }
                ordered[slot] = ctx.path(file);
            }
            for (int i = 0; i < ordered.length; i++) {
                if (ordered[i] == null) {
                    throw new ToolFailure("ERROR: input list gives no file for input " + graph.inputs().get(i).name());
                }
            }
            inferences.add(List.of(ordered));
        }
        return inferences;
    }

    private static int indexOf(List<TensorSpec> tensors, String name) {
        for (int i = 0; i < tensors.size(); i++) {
            if (tensors.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private byte[] readInput(Path file, TensorSpec spec, boolean nativeInput) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ToolFailure("ERROR: could not open input file " + ctx.shown(file) + ": No such file or directory");
        }
        long expected = nativeInput ? spec.byteSize() : spec.elementCount() * 4;
        long size = Files.size(file);
        if (size != expected) {
            throw new ToolFailure("ERROR: input file " + ctx.shown(file) + " has " + size + " bytes; tensor "
                    + spec.name() + " (" + spec.dataType().qnnName() + (nativeInput ? ", native" : ", float32 file")
                    + ", " + spec.dimensions() + ") needs " + expected);
        }
        return Files.readAllBytes(file);
    }

    /** Element {@code i} of an input file as a real number. */
    private static float element(ByteBuffer b, int i, TensorSpec spec, boolean nativeInput) {
        if (!nativeInput) {
            return b.getFloat(i * 4);
        }
        float raw = switch (spec.dataType()) {
            case UFIXED_POINT_8, UINT_8 -> b.get(i) & 0xff;
            case SFIXED_POINT_8 -> b.get(i);
            case UFIXED_POINT_16 -> b.getShort(i * 2) & 0xffff;
            case SFIXED_POINT_16 -> b.getShort(i * 2);
            case INT_32, UINT_32 -> b.getInt(i * 4);
            case FLOAT_16 -> Fp16.toFloat(b.getShort(i * 2));
            case FLOAT_32 -> b.getFloat(i * 4);
        };
        if (spec.quantization().isPresent() && spec.quantization().get() instanceof Quantization.PerTensor p) {
            return (raw + p.offset()) * p.scale();
        }
        return raw;
    }

    private static float[] encodeImage(byte[] input, TensorSpec spec, boolean nativeInput, int width) {
        ByteBuffer b = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        int size = EmulatedEncoding.IMAGE_SIZE;
        int patch = size / EmulatedEncoding.GRID;
        boolean nchw = spec.dimensions().get(1) == 3;
        double[][] sums = new double[EmulatedEncoding.VISION_TOKENS][3];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int p = (y / patch) * EmulatedEncoding.GRID + x / patch;
                for (int c = 0; c < 3; c++) {
                    int index = nchw ? (c * size + y) * size + x : (y * size + x) * 3 + c;
                    sums[p][c] += element(b, index, spec, nativeInput);
                }
            }
        }
        float[] out = new float[EmulatedEncoding.VISION_TOKENS * width];
        double n = (double) patch * patch;
        for (int p = 0; p < EmulatedEncoding.VISION_TOKENS; p++) {
            float[] row = EmulatedEncoding.visionRow((float) (sums[p][0] / n), (float) (sums[p][1] / n),
                    (float) (sums[p][2] / n), p / EmulatedEncoding.GRID, p % EmulatedEncoding.GRID, width);
            System.arraycopy(row, 0, out, p * width, width);
        }
        return out;
    }

    private static float[] embedTokens(byte[] input, TensorSpec spec, boolean nativeInput, int width) {
        ByteBuffer b = ByteBuffer.wrap(input).order(ByteOrder.LITTLE_ENDIAN);
        int tokens = (int) spec.elementCount();
        float[] out = new float[tokens * width];
        for (int i = 0; i < tokens; i++) {
            float v = element(b, i, spec, nativeInput);
            int id = (int) v;
            if (id != v || id < 0 || id >= EmulatedBundle.VOCAB) {
                throw new ToolFailure("ERROR: input_ids[" + i + "] = " + v + " is not a token id in [0, "
                        + EmulatedBundle.VOCAB + ")");
            }
            for (int j = 0; j < width; j++) {
                out[i * width + j] = EmulatedEncoding.textValue(id, j);
            }
        }
        return out;
    }

    private void writeOutput(Path dir, TensorSpec spec, float[] values, boolean nativeOutput) throws IOException {
        boolean asNative = nativeOutput && spec.dataType() != QnnDataType.FLOAT_32;
        String name = asNative ? spec.nativeOutputFileName() : spec.name() + ".raw";
        ByteBuffer b = ByteBuffer.allocate(values.length * (asNative ? spec.dataType().bytes() : 4))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            if (!asNative) {
                b.putFloat(roundTrip(spec, v));
            } else if (spec.dataType() == QnnDataType.FLOAT_16) {
                b.putShort(Fp16.fromFloat(v));
            } else if (spec.dataType() == QnnDataType.UFIXED_POINT_8) {
                b.put((byte) quantize(spec, v));
            } else {
                throw new ToolFailure("ERROR: emulated output type " + spec.dataType() + " is not supported");
            }
        }
        Path temp = Files.createTempFile(dir, ".out-", ".tmp");
        Files.write(temp, b.array());
        Files.move(temp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** What a float32 output file holds: the value after the graph's own output precision. */
    private static float roundTrip(TensorSpec spec, float v) {
        if (spec.dataType() == QnnDataType.FLOAT_16) {
            return Fp16.toFloat(Fp16.fromFloat(v));
        }
        if (spec.dataType() == QnnDataType.UFIXED_POINT_8) {
            Quantization.PerTensor p = (Quantization.PerTensor) spec.quantization().orElseThrow();
            return (quantize(spec, v) + p.offset()) * p.scale();
        }
        return v;
    }

    /** {@code q = round(v / scale) - offset}, clamped to the 8-bit range. */
    private static int quantize(TensorSpec spec, float v) {
        Quantization.PerTensor p = (Quantization.PerTensor) spec.quantization().orElseThrow();
        return Math.max(0, Math.min(255, Math.round(v / p.scale()) - p.offset()));
    }
}

package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.emulator.model.EmulatedEncoding;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Emulated host tool {@code qnn-onnx-converter}: reads an emulated ONNX export and writes the
 * converted model's {@code .cpp} and {@code .bin}. With {@code --input_list} it quantizes as the
 * seed's INT8 encoder was: 8-bit activations, the float NCHW pixel input becoming a uint8 NHWC
 * one whose scale and offset come from {@code --quantization_overrides} when that pins the input,
 * else from the minimum and maximum of every calibration file (each checked to be the input's
 * float32 size). Without it, {@code --float_bitwidth 16} gives an FP16 model.
 */
final class OnnxConverter {
    static final String NAME = "qnn-onnx-converter";
    static final String USAGE = "usage: qnn-onnx-converter (fastvlm emulated) --input_network MODEL.onnx"
            + " [--input_dim NAME DIMS] [--input_layout NAME LAYOUT] [--input_list FILE]"
            + " [--act_bitwidth 8] [--weights_bitwidth 8] [--bias_bitwidth 8|32] [--act_quantizer tf]"
            + " [--quantization_overrides FILE] [--float_bitwidth 16|32] [--out_node NAME] -o OUTPUT.cpp";
    private static final Map<String, Integer> OPTIONS = Map.ofEntries(Map.entry("--input_network", 1),
            Map.entry("--input_dim", 2), Map.entry("--input_layout", 2), Map.entry("--input_list", 1),
            Map.entry("--act_bitwidth", 1), Map.entry("--weights_bitwidth", 1), Map.entry("--bias_bitwidth", 1),
            Map.entry("--act_quantizer", 1), Map.entry("--param_quantizer", 1),
            Map.entry("--quantization_overrides", 1), Map.entry("--float_bitwidth", 1), Map.entry("--out_node", 1),
            Map.entry("-o", 1), Map.entry("--output_path", 1));

    private final ToolContext ctx;
    private final PrintStream out;

    OnnxConverter(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    int run(String[] args) throws IOException {
        HostArguments a = new HostArguments(args, OPTIONS);
        Path model = ctx.path(a.required("--input_network"));
        String output = a.value("-o") != null ? a.value("-o") : a.required("--output_path");
        if (!output.endsWith(".cpp")) {
            throw new ToolFailure("ERROR: the output path must end in .cpp, was " + output);
        }
        EmulatedGraph export = read(model);
        TensorSpec input = export.inputs().get(0);
        for (List<String> dim : a.all("--input_dim")) {
            TensorSpec named = tensor(export.inputs(), dim.get(0), "--input_dim");
            List<Integer> dims = parseDims(dim.get(1));
            if (!dims.equals(named.dimensions())) {
                throw new ToolFailure("ERROR: --input_dim " + dim.get(0) + " " + dim.get(1) + " does not match the"
                        + " model's input shape " + named.dimensions());
            }
        }
        for (List<String> layout : a.all("--input_layout")) {
            tensor(export.inputs(), layout.get(0), "--input_layout");
            if (!List.of("NCHW", "NHWC", "NFC", "NONTRIVIAL").contains(layout.get(1))) {
                throw new ToolFailure("ERROR: --input_layout " + layout.get(1) + " is not a layout");
            }
        }
        for (List<String> node : a.all("--out_node")) {
            tensor(export.outputs(), node.get(0), "--out_node");
        }
        TensorSpec output0 = export.outputs().get(0);
        EmulatedGraph converted;
        if (a.has("--input_list")) {
            for (String option : List.of("--act_bitwidth", "--weights_bitwidth")) {
                if (a.value(option) != null && !a.value(option).equals("8")) {
                    throw new ToolFailure("ERROR: the emulated converter quantizes to 8 bits only, " + option + " was "
                            + a.value(option));
                }
            }
            boolean nchw = a.all("--input_layout").stream().anyMatch(l -> l.get(1).equals("NCHW"));
            List<Integer> d = input.dimensions();
            if (export.kind() != EmulatedGraph.Kind.VISION_ENCODER || !nchw || d.size() != 4 || d.get(1) != 3) {
                throw new ToolFailure("ERROR: the emulated converter quantizes only a float NCHW image encoder"
                        + " (--input_layout " + input.name() + " NCHW)");
            }
            Quantization inputQ = a.value("--quantization_overrides") != null
                    ? overrides(ctx.path(a.value("--quantization_overrides")), input.name())
                    : calibrate(ctx.path(a.value("--input_list")), input);
            calibrationFiles(ctx.path(a.value("--input_list")), input);
            converted = new EmulatedGraph(export.kind(), export.graphName(),
                    List.of(new TensorSpec(input.name(), QnnDataType.UFIXED_POINT_8, List.of(d.get(0), d.get(2),
                            d.get(3), d.get(1)), Optional.of(inputQ))),
                    List.of(new TensorSpec(output0.name(), QnnDataType.UFIXED_POINT_8, output0.dimensions(),
                            Optional.of(Quantization.perTensor(EmulatedEncoding.VISION_SCALE,
                                    EmulatedEncoding.VISION_OFFSET)))), export.width());
        } else {
            String bits = a.value("--float_bitwidth") == null ? "32" : a.value("--float_bitwidth");
            if (!bits.equals("16") && !bits.equals("32")) {
                throw new ToolFailure("ERROR: --float_bitwidth must be 16 or 32, was " + bits);
            }
            QnnDataType floats = bits.equals("16") ? QnnDataType.FLOAT_16 : QnnDataType.FLOAT_32;
            converted = new EmulatedGraph(export.kind(), export.graphName(), export.inputs(),
                    List.of(new TensorSpec(output0.name(), floats, output0.dimensions(), Optional.empty())),
                    export.width());
        }
        Path cpp = ctx.path(output);
        EmulatedGraph.write(cpp, List.of(converted), EmulatedGraph.Stage.CONVERTED_MODEL);
        EmulatedGraph.write(cpp.resolveSibling(cpp.getFileName().toString().replaceFirst("\\.cpp$", ".bin")),
                List.of(converted), EmulatedGraph.Stage.CONVERTED_MODEL);
        out.println("qnn-onnx-converter (fastvlm emulated): wrote " + output + " and its .bin");
        return 0;
    }

    private EmulatedGraph read(Path model) {
        if (!Files.isRegularFile(model)) {
            throw new ToolFailure("ERROR: input network " + ctx.shown(model) + " does not exist");
        }
        try {
            return EmulatedGraph.readAll(model, EmulatedGraph.Stage.ONNX_EXPORT).get(0);
        } catch (IOException e) {
            throw new ToolFailure("ERROR: cannot load the ONNX model: " + e.getMessage());
        }
    }

    private static TensorSpec tensor(List<TensorSpec> tensors, String name, String option) {
        return tensors.stream().filter(t -> t.name().equals(name)).findFirst().orElseThrow(() -> new ToolFailure(
                "ERROR: " + option + " names " + name + ", which the model does not have (it has "
                        + tensors.stream().map(TensorSpec::name).toList() + ")"));
    }

    private static List<Integer> parseDims(String text) {
        try {
            return Arrays.stream(text.split(",")).map(Integer::parseInt).toList();
        } catch (NumberFormatException e) {
            throw new ToolFailure("ERROR: dimensions must be comma-separated integers, was " + text);
        }
    }

    /** The calibration files the list names (plain paths or {@code name:=path}), each the input's float32 size. */
    private List<Path> calibrationFiles(Path list, TensorSpec input) throws IOException {
        if (!Files.isRegularFile(list)) {
            throw new ToolFailure("ERROR: input list " + ctx.shown(list) + " does not exist");
        }
        List<Path> files = new ArrayList<>();
        long expected = input.elementCount() * Float.BYTES;
        for (String line : Files.readAllLines(list)) {
            String entry = line.strip();
            if (entry.isEmpty() || entry.startsWith("#")) {
                continue;
            }
            String path = entry.contains(":=") ? entry.substring(entry.indexOf(":=") + 2) : entry;
            Path file = ctx.path(path);
            if (!Files.isRegularFile(file)) {
                throw new ToolFailure("ERROR: calibration input " + path + " does not exist");
            }
            if (Files.size(file) != expected) {
                throw new ToolFailure("ERROR: calibration input " + path + " is " + Files.size(file) + " bytes, the"
                        + " input " + input.name() + " " + input.dimensions() + " float32 needs " + expected);
            }
            files.add(file);
        }
        if (files.isEmpty()) {
            throw new ToolFailure("ERROR: input list " + ctx.shown(list) + " names no input");
        }
        return files;
    }

    /** Min-max calibration, asymmetric, 8 bits: {@code float = (q + offset) * scale}. */
    private Quantization calibrate(Path list, TensorSpec input) throws IOException {
        float min = 0;
        float max = 0;
        byte[] chunk = new byte[1 << 16];
        for (Path file : calibrationFiles(list, input)) {
            try (InputStream in = Files.newInputStream(file)) {
                for (int n; (n = in.readNBytes(chunk, 0, chunk.length)) > 0; ) {
                    ByteBuffer b = ByteBuffer.wrap(chunk, 0, n).order(ByteOrder.LITTLE_ENDIAN);
                    while (b.remaining() >= Float.BYTES) {
                        float v = b.getFloat();
                        min = Math.min(min, v);
                        max = Math.max(max, v);
                    }
                }
            }
        }
        float scale = max > min ? (max - min) / 255f : 1f / 255f;
        return Quantization.perTensor(scale, Math.round(min / scale));
    }

    /** The input's encoding from a quantization overrides file ({@code activation_encodings.NAME[0].min/max}). */
    private Quantization overrides(Path file, String inputName) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ToolFailure("ERROR: quantization overrides " + ctx.shown(file) + " does not exist");
        }
        JsonNode encoding = new ObjectMapper().readTree(file.toFile()).path("activation_encodings").path(inputName)
                .path(0);
        if (!encoding.path("min").isNumber() || !encoding.path("max").isNumber()
                || encoding.path("bitwidth").asInt(8) != 8) {
            throw new ToolFailure("ERROR: quantization overrides " + ctx.shown(file) + " have no 8-bit min/max for "
                    + inputName);
        }
        float min = (float) encoding.path("min").asDouble();
        float max = (float) encoding.path("max").asDouble();
        float scale = (max - min) / 255f;
        return Quantization.perTensor(scale, Math.round(min / scale));
    }
}

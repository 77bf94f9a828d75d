package dev.fastvlm.genie.qnn;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What {@code qnn-context-binary-utility --context_binary X.bin --json_file out.json} says about a
 * context binary: its graphs and their tensors' names, types, shapes and quantization. Read from
 * {@code info.graphs[i].info.{graphName, graphInputs, graphOutputs}}, each tensor from
 * {@code .info.{name, dataType, dimensions, quantizeParams}}; other keys the tool writes are
 * ignored. {@link #toJson()} writes the same layout.
 *
 * @param graphs the graphs, in file order
 */
public record ContextBinaryInfo(List<QnnGraph> graphs) {
    static final String SCALE_OFFSET = "QNN_QUANTIZATION_ENCODING_SCALE_OFFSET";
    static final String AXIS_SCALE_OFFSET = "QNN_QUANTIZATION_ENCODING_AXIS_SCALE_OFFSET";
    static final String UNDEFINED_ENCODING = "QNN_QUANTIZATION_ENCODING_UNDEFINED";
    static final String DEFINED = "QNN_DEFINITION_DEFINED";
    static final String UNDEFINED = "QNN_DEFINITION_UNDEFINED";

    /**
     * Copies the graph list.
     *
     * @param graphs the graphs, in file order
     * @throws NullPointerException when {@code graphs} is null or holds null
     */
    public ContextBinaryInfo {
        graphs = List.copyOf(graphs);
    }

    /**
     * Parses the utility's JSON; every problem is reported at once, each with its JSON path.
     *
     * @param json the text of the utility's {@code --json_file} output
     * @return the graphs it describes
     * @throws dev.fastvlm.ModelArtifactException when the text is not JSON or lacks a required field (every problem
     *     listed), or lists no graphs
     */
    public static ContextBinaryInfo parse(String json) {
        return parse(json, "context binary info");
    }

    /**
     * Reads the utility's JSON file; errors name the file.
     *
     * @param json the utility's {@code --json_file} output file
     * @return the graphs it describes
     * @throws dev.fastvlm.ModelArtifactException when the file cannot be read or its content is not valid, the
     *     message naming the file
     */
    public static ContextBinaryInfo read(Path json) {
        try {
            return parse(Json.readUtf8(json), json.toString());
        } catch (IOException e) {
            throw new ModelArtifactException(json + ": cannot be read: " + e, e);
        }
    }

    private static ContextBinaryInfo parse(String json, String source) {
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(json, error);
        if (root == null) {
            throw new ModelArtifactException(source + ": " + error);
        }
        List<Violation> problems = new ArrayList<>();
        List<QnnGraph> graphs = null;
        JsonFields top = JsonFields.of(root, "", problems);
        JsonFields info = top == null ? null : top.object("info", true);
        if (info != null) {
            graphs = info.array("graphs", true, (node, path) -> readGraph(node, path, problems));
            if (graphs != null && graphs.isEmpty() && problems.isEmpty()) {
                problems.add(new Violation(info.pathOf("graphs"), "lists no graphs"));
            }
        }
        if (!problems.isEmpty()) {
            throw new ModelArtifactException(source + ": " + problems.stream().map(Violation::toString)
                    .collect(Collectors.joining("; ")));
        }
        return new ContextBinaryInfo(graphs);
    }

    private static QnnGraph readGraph(JsonNode node, String path, List<Violation> problems) {
        JsonFields graph = JsonFields.of(node, path, problems);
        JsonFields info = graph == null ? null : graph.object("info", true);
        if (info == null) {
            return null;
        }
        String name = info.string("graphName", true);
        List<TensorSpec> inputs = info.array("graphInputs", true, (t, p) -> readTensor(t, p, problems));
        List<TensorSpec> outputs = info.array("graphOutputs", true, (t, p) -> readTensor(t, p, problems));
        if (name == null || inputs == null || outputs == null) {
            return null;
        }
        if (name.isBlank()) {
            info.problem("graphName", "must not be blank");
            return null;
        }
        return new QnnGraph(name, inputs, outputs);
    }

    private static TensorSpec readTensor(JsonNode node, String path, List<Violation> problems) {
        JsonFields tensor = JsonFields.of(node, path, problems);
        JsonFields f = tensor == null ? null : tensor.object("info", true);
        if (f == null) {
            return null;
        }
        int before = problems.size();
        String name = f.string("name", true);
        String typeName = f.string("dataType", true);
        QnnDataType type = null;
        if (typeName != null) {
            type = QnnDataType.fromQnnName(typeName).orElse(null);
            if (type == null) {
                f.problem("dataType", "unsupported data type \"" + typeName + "\"; supported: "
                        + Arrays.stream(QnnDataType.values()).map(QnnDataType::qnnName)
                        .collect(Collectors.joining(", ")));
            }
        }
        List<Integer> dims = f.array("dimensions", true, (d, p) -> {
            if (d.canConvertToExactIntegral() && d.canConvertToInt() && d.asInt() > 0) {
                return d.asInt();
            }
            problems.add(new Violation(p, "must be a positive integer, was " + JsonFields.describe(d)));
            return null;
        });
        if (dims != null && dims.isEmpty()) {
            f.problem("dimensions", "must not be empty");
        }
        Optional<Quantization> quantization = Optional.empty();
        if (type != null && type.quantized()) {
            JsonFields q = f.object("quantizeParams", true);
            quantization = q == null ? Optional.empty() : Optional.ofNullable(readQuantization(q, typeName, dims));
        }
        if (problems.size() > before) {
            return null;
        }
        try {
            return new TensorSpec(name, type, dims, quantization);
        } catch (IllegalArgumentException e) {
            problems.add(new Violation(f.path(), e.getMessage()));
            return null;
        }
    }

    private static Quantization readQuantization(JsonFields q, String typeName, List<Integer> dims) {
        String definition = q.string("definition", true);
        String encoding = q.string("quantizationEncoding", true);
        if (definition == null || encoding == null) {
            return null;
        }
        if (!definition.equals(DEFINED)) {
            q.problem("definition", typeName + " needs defined quantization parameters, was \"" + definition + "\"");
            return null;
        }
        try {
            if (encoding.equals(SCALE_OFFSET)) {
                JsonFields so = q.object("scaleOffset", true);
                Double scale = so == null ? null : so.number("scale", true);
                Integer offset = so == null ? null : so.int32("offset", true);
                return scale == null || offset == null ? null : Quantization.perTensor(scale.floatValue(), offset);
            }
            if (encoding.equals(AXIS_SCALE_OFFSET)) {
                return readPerAxis(q, dims);
            }
        } catch (IllegalArgumentException e) {
            q.problems().add(new Violation(q.path(), e.getMessage()));
            return null;
        }
        q.problem("quantizationEncoding", "\"" + encoding + "\" is not supported; supported: " + SCALE_OFFSET
                + ", " + AXIS_SCALE_OFFSET);
        return null;
    }

    private static Quantization readPerAxis(JsonFields q, List<Integer> dims) {
        JsonFields axisFields = q.object("axisScaleOffset", true);
        if (axisFields == null) {
            return null;
        }
        Integer axis = axisFields.int32("axis", true);
        List<Violation> problems = axisFields.problems();
        List<double[]> pairs = axisFields.array("scaleOffset", true, (node, path) -> {
            JsonFields pair = JsonFields.of(node, path, problems);
            Double scale = pair == null ? null : pair.number("scale", true);
            Integer offset = pair == null ? null : pair.int32("offset", true);
            return scale == null || offset == null ? null : new double[] {scale, offset};
        });
        Integer declared = axisFields.int32("numScaleOffsets", false);
        if (axis == null || pairs == null) {
            return null;
        }
        if (declared != null && declared != pairs.size()) {
            axisFields.problem("numScaleOffsets", "says " + declared + " but scaleOffset lists " + pairs.size());
            return null;
        }
        if (dims != null && (axis < 0 || axis >= dims.size())) {
            axisFields.problem("axis", "must name one of the " + dims.size() + " dimensions, was " + axis);
            return null;
        }
        if (dims != null && dims.get(axis) != pairs.size()) {
            axisFields.problem("scaleOffset", "needs one entry per index of axis " + axis + " (" + dims.get(axis)
                    + "), has " + pairs.size());
            return null;
        }
        float[] scales = new float[pairs.size()];
        int[] offsets = new int[pairs.size()];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = (float) pairs.get(i)[0];
            offsets[i] = (int) pairs.get(i)[1];
        }
        return new Quantization.PerAxis(axis, scales, offsets);
    }

    /**
     * The binary's one graph; an error if it has several.
     *
     * @return the only graph
     * @throws dev.fastvlm.ModelArtifactException when the binary has several graphs
     */
    public QnnGraph singleGraph() {
        if (graphs.size() != 1) {
            throw new ModelArtifactException("the context binary has " + graphs.size() + " graphs, expected one: "
                    + graphNames());
        }
        return graphs.get(0);
    }

    /**
     * The graph called {@code name}; the error lists the graphs there are.
     *
     * @param name the graph's name
     * @return the graph
     * @throws dev.fastvlm.ModelArtifactException when no graph has that name
     */
    public QnnGraph graph(String name) {
        return graphs.stream().filter(g -> g.name().equals(name)).findFirst()
                .orElseThrow(() -> new ModelArtifactException("the context binary has no graph named \"" + name
                        + "\"; its graphs: " + graphNames()));
    }

    private String graphNames() {
        return graphs.stream().map(QnnGraph::name).collect(Collectors.joining(", "));
    }

    /**
     * This info in the utility's layout, pretty-printed.
     *
     * @return JSON text that {@link #parse(String)} reads back into an equal value
     */
    public String toJson() {
        ObjectNode root = Json.object();
        ArrayNode graphArray = root.putObject("info").putArray("graphs");
        for (QnnGraph g : graphs) {
            ObjectNode info = graphArray.addObject().putObject("info");
            info.put("graphName", g.name());
            info.put("numGraphInputs", g.inputs().size());
            writeTensors(info.putArray("graphInputs"), g.inputs(), "QNN_TENSOR_TYPE_APP_WRITE");
            info.put("numGraphOutputs", g.outputs().size());
            writeTensors(info.putArray("graphOutputs"), g.outputs(), "QNN_TENSOR_TYPE_APP_READ");
        }
        return Json.pretty(root);
    }

    private static void writeTensors(ArrayNode array, List<TensorSpec> tensors, String tensorType) {
        for (TensorSpec t : tensors) {
            ObjectNode info = array.addObject().putObject("info");
            info.put("name", t.name());
            info.put("type", tensorType);
            info.put("dataType", t.dataType().qnnName());
            ObjectNode q = info.putObject("quantizeParams");
            Quantization quantization = t.quantization().orElse(null);
            if (quantization instanceof Quantization.PerTensor p) {
                q.put("definition", DEFINED);
                q.put("quantizationEncoding", SCALE_OFFSET);
                q.putObject("scaleOffset").put("scale", p.scale()).put("offset", p.offset());
            } else if (quantization instanceof Quantization.PerAxis p) {
                q.put("definition", DEFINED);
                q.put("quantizationEncoding", AXIS_SCALE_OFFSET);
                ObjectNode axis = q.putObject("axisScaleOffset");
                axis.put("axis", p.axis());
                axis.put("numScaleOffsets", p.channels());
                ArrayNode pairs = axis.putArray("scaleOffset");
                for (int i = 0; i < p.channels(); i++) {
                    pairs.addObject().put("scale", p.scale(i)).put("offset", p.offset(i));
                }
            } else {
                q.put("definition", UNDEFINED);
                q.put("quantizationEncoding", UNDEFINED_ENCODING);
            }
            info.put("rank", t.dimensions().size());
            t.dimensions().forEach(info.putArray("dimensions")::add);
        }
    }
}

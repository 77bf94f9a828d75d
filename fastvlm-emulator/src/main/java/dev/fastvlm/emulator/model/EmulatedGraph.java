package dev.fastvlm.emulator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * An emulated QNN context binary: the graph it holds and what the emulator computes with it.
 *
 * <p>File format (the project's own, not Qualcomm's): the line {@value #MAGIC}, then one JSON
 * document: the context info exactly as {@code qnn-context-binary-utility} prints it for a real
 * binary ({@code info.graphs[i].info.graphInputs[j].info ...}), plus a {@code "fastvlm-emulation"}
 * object ({@code kind}, {@code width}).
 *
 * @param kind      what the graph computes
 * @param graphName the QNN graph name
 * @param inputs    graph inputs in order
 * @param outputs   graph outputs in order
 * @param width     the embedding width it produces (decoder: consumes)
 */
public record EmulatedGraph(Kind kind, String graphName, List<TensorSpec> inputs, List<TensorSpec> outputs,
                            int width) {
    /** First line of every emulated context binary; real binaries never start with it. */
    public static final String MAGIC = "FASTVLM-EMULATED-QNN-CONTEXT-BINARY v1 (emulated, not a Qualcomm binary)";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The forms an emulated graph takes on its way through the emulated host tool chain, each
     * file starting with its own first line so that a tool given the wrong file says so.
     */
    public enum Stage {
        /** A model export, as {@code qnn-onnx-converter --input_network} reads it (float tensors). */
        ONNX_EXPORT("FASTVLM-EMULATED-ONNX-EXPORT v1 (emulated, not an ONNX model)"),
        /** The converter's {@code .cpp} / {@code .bin} pair. */
        CONVERTED_MODEL("// FASTVLM-EMULATED-QNN-MODEL v1 (emulated, not converter output)"),
        /** {@code qnn-model-lib-generator}'s {@code lib<name>.so}. */
        MODEL_LIBRARY("FASTVLM-EMULATED-QNN-MODEL-LIBRARY v1 (emulated, not a shared library)"),
        /** A context binary, which the emulated device runs. */
        CONTEXT_BINARY(MAGIC);

        private final String magic;

        Stage(String magic) {
            this.magic = magic;
        }

        /** {@return the first line of a file of this stage} */
        public String magic() {
            return magic;
        }

        /** {@return what a file of this stage is, for messages} */
        public String description() {
            return switch (this) {
                case ONNX_EXPORT -> "emulated ONNX export";
                case CONVERTED_MODEL -> "emulated converted model";
                case MODEL_LIBRARY -> "emulated model library";
                case CONTEXT_BINARY -> "emulated QNN context binary";
            };
        }
    }

    /** What an emulated graph does. */
    public enum Kind {
        /** Pixels in, one row per image patch out. */
        VISION_ENCODER,
        /** Padded token ids in, one embedding row per token out. */
        TEXT_EMBEDDER,
        /** Embedding rows in, generated text out. */
        DECODER
    }

    /**
     * Copies the tensor lists.
     *
     * @param kind what the graph computes
     * @param graphName the QNN graph name
     * @param inputs graph inputs in order
     * @param outputs graph outputs in order
     * @param width the embedding width it produces (decoder: consumes)
     * @throws NullPointerException when a list is null or holds null
     */
    public EmulatedGraph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * The JSON {@code qnn-context-binary-utility --json_file} writes for a context of this one graph.
     *
     * @return a new JSON tree in the utility's layout
     */
    public ObjectNode contextInfo() {
        return contextInfo(List.of(this));
    }

    /**
     * The JSON {@code qnn-context-binary-utility --json_file} writes for a context of these graphs.
     *
     * @param graphs the context's graphs, in order
     * @return the context info
     */
    public static ObjectNode contextInfo(List<EmulatedGraph> graphs) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("backendId", 6);
        info.put("buildId", "v2.42.0.251225-fastvlm-emulated");
        ObjectNode core = info.putObject("coreApiVersion");
        core.put("major", 2).put("minor", 29).put("patch", 0);
        ObjectNode blob = info.putObject("contextBlobVersion");
        blob.put("major", 3).put("minor", 3).put("patch", 0);
        info.put("contextBlobSize", 0);
        info.put("numGraphs", graphs.size());
        ArrayNode list = info.putArray("graphs");
        for (EmulatedGraph g : graphs) {
            ObjectNode graph = list.addObject().putObject("info");
            graph.put("graphName", g.graphName);
            graph.put("numGraphInputs", g.inputs.size());
            ArrayNode in = graph.putArray("graphInputs");
            for (int i = 0; i < g.inputs.size(); i++) {
                in.addObject().set("info", tensor(i, g.inputs.get(i), "QNN_TENSOR_TYPE_APP_WRITE"));
            }
            graph.put("numGraphOutputs", g.outputs.size());
            ArrayNode out = graph.putArray("graphOutputs");
            for (int i = 0; i < g.outputs.size(); i++) {
                out.addObject().set("info", tensor(g.inputs.size() + i, g.outputs.get(i), "QNN_TENSOR_TYPE_APP_READ"));
            }
        }
        root.put("version", "emulated");
        return root;
    }

    private static ObjectNode tensor(int id, TensorSpec t, String type) {
        ObjectNode n = JSON.createObjectNode();
        n.put("id", id);
        n.put("name", t.name());
        n.put("type", type);
        n.put("dataFormat", "QNN_TENSOR_DATA_FORMAT_FLAT_BUFFER");
        n.put("dataType", t.dataType().qnnName());
        ObjectNode q = n.putObject("quantizeParams");
        if (t.quantization().isPresent() && t.quantization().get() instanceof Quantization.PerTensor p) {
            q.put("definition", "QNN_DEFINITION_DEFINED");
            q.put("quantizationEncoding", "QNN_QUANTIZATION_ENCODING_SCALE_OFFSET");
            q.putObject("scaleOffset").put("scale", p.scale()).put("offset", p.offset());
        } else {
            q.put("definition", "QNN_DEFINITION_UNDEFINED");
            q.put("quantizationEncoding", "QNN_QUANTIZATION_ENCODING_UNDEFINED");
            q.putObject("scaleOffset").put("scale", 0.0).put("offset", 0);
        }
        n.put("rank", t.dimensions().size());
        ArrayNode dims = n.putArray("dimensions");
        t.dimensions().forEach(dims::add);
        n.put("memType", "QNN_TENSORMEMTYPE_RAW");
        return n;
    }

    /**
     * Writes the emulated binary of this one graph (to a temporary name, then moved into place).
     *
     * @param file the file to write; its parent folders are created
     * @throws IOException when the file cannot be written
     */
    public void write(Path file) throws IOException {
        write(file, List.of(this));
    }

    /**
     * Writes an emulated binary holding several graphs of one kind and width (as a real context
     * holds, e.g., the variants of one model for several sequence lengths).
     *
     * @param file   where to write
     * @param graphs the graphs, in order
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, List<EmulatedGraph> graphs) throws IOException {
        write(file, graphs, Stage.CONTEXT_BINARY);
    }

    /**
     * Writes the graphs as a file of the given stage of the emulated tool chain.
     *
     * @param file   where to write
     * @param graphs the graphs, in order, of one kind and width
     * @param stage  what the file is
     * @throws IOException when the file cannot be written
     */
    public static void write(Path file, List<EmulatedGraph> graphs, Stage stage) throws IOException {
        EmulatedGraph first = graphs.get(0);
        for (EmulatedGraph g : graphs) {
            if (g.kind != first.kind || g.width != first.width) {
                throw new IllegalArgumentException("the graphs of one emulated context share kind and width");
            }
        }
        ObjectNode doc = contextInfo(graphs);
        ObjectNode emulation = doc.putObject("fastvlm-emulation");
        emulation.put("kind", first.kind.name());
        emulation.put("width", first.width);
        String text = stage.magic() + "\n" + JSON.writeValueAsString(doc) + "\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = ModelFiles.temporary(file.toAbsolutePath().getParent(), ".ctx-");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads the first graph of an emulated context binary.
     *
     * @param file the file to read
     * @return the graph it holds
     * @throws IOException naming the file if it is not one
     */
    public static EmulatedGraph read(Path file) throws IOException {
        return readAll(file).get(0);
    }

    /**
     * Reads every graph of an emulated context binary, in order.
     *
     * @param file the binary
     * @return its graphs (at least one)
     * @throws IOException naming the file if it is not one
     */
    public static List<EmulatedGraph> readAll(Path file) throws IOException {
        return readAll(file, Stage.CONTEXT_BINARY);
    }

    /**
     * Reads every graph of a file of the given stage of the emulated tool chain.
     *
     * @param file  the file
     * @param stage what the file must be
     * @return its graphs (at least one)
     * @throws IOException naming the file if it is not one
     */
    public static List<EmulatedGraph> readAll(Path file, Stage stage) throws IOException {
        String magic = stage.magic();
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(magic.length());
        }
        if (!new String(head, StandardCharsets.UTF_8).equals(magic)) {
            throw new IOException(file + " is not an " + stage.description() + (stage == Stage.CONTEXT_BINARY
                    ? " (the emulator only runs the binaries its bundle writer or its emulated host tools made)" : ""));
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).substring(magic.length());
        JsonNode doc = JSON.readTree(text);
        JsonNode emulation = doc.path("fastvlm-emulation");
        try {
            List<EmulatedGraph> graphs = new ArrayList<>();
            for (JsonNode g : doc.path("info").path("graphs")) {
                JsonNode graph = g.path("info");
                graphs.add(new EmulatedGraph(Kind.valueOf(emulation.path("kind").asText()),
                        graph.path("graphName").asText(), tensors(graph.path("graphInputs")),
                        tensors(graph.path("graphOutputs")), emulation.path("width").asInt()));
            }
            if (graphs.isEmpty()) {
                throw new IllegalArgumentException("no graphs");
            }
            return List.copyOf(graphs);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": damaged " + stage.description() + ": " + e.getMessage(), e);
        }
    }

    private static List<TensorSpec> tensors(JsonNode array) {
        List<TensorSpec> list = new ArrayList<>();
        for (JsonNode wrapper : array) {
            JsonNode t = wrapper.path("info");
            QnnDataType type = QnnDataType.fromQnnName(t.path("dataType").asText())
                    .orElseThrow(() -> new IllegalArgumentException("unknown data type " + t.path("dataType")));
            List<Integer> dims = new ArrayList<>();
            t.path("dimensions").forEach(d -> dims.add(d.asInt()));
            Optional<Quantization> q = Optional.empty();
            if (type.quantized()) {
                JsonNode so = t.path("quantizeParams").path("scaleOffset");
                q = Optional.of(Quantization.perTensor((float) so.path("scale").asDouble(), so.path("offset").asInt()));
            }
            list.add(new TensorSpec(t.path("name").asText(), type, dims, q));
        }
        return list;
    }
}

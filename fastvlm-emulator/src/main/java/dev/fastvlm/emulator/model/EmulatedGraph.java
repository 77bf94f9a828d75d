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
    public static final String MAGIC = "FASTVLM-EMULATED-QNN-CONTEXT-BINARY v1 (emulated, not a Qualcomm binary)";
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What an emulated graph does. */
    public enum Kind { VISION_ENCODER, TEXT_EMBEDDER, DECODER }

    public EmulatedGraph {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The JSON {@code qnn-context-binary-utility --json_file} writes for this graph. */
    public ObjectNode contextInfo() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode info = root.putObject("info");
        info.put("backendId", 6);
        info.put("buildId", "v2.42.0.251225-fastvlm-emulated");
        ObjectNode core = info.putObject("coreApiVersion");
        core.put("major", 2).put("minor", 29).put("patch", 0);
        ObjectNode blob = info.putObject("contextBlobVersion");
        blob.put("major", 3).put("minor", 3).put("patch", 0);
        info.put("contextBlobSize", 0);
        info.put("numGraphs", 1);
        ObjectNode graph = info.putArray("graphs").addObject().putObject("info");
        graph.put("graphName", graphName);
        graph.put("numGraphInputs", inputs.size());
        ArrayNode in = graph.putArray("graphInputs");
        for (int i = 0; i < inputs.size(); i++) {
            in.addObject().set("info", tensor(i, inputs.get(i), "QNN_TENSOR_TYPE_APP_WRITE"));
        }
        graph.put("numGraphOutputs", outputs.size());
        ArrayNode out = graph.putArray("graphOutputs");
        for (int i = 0; i < outputs.size(); i++) {
            out.addObject().set("info", tensor(inputs.size() + i, outputs.get(i), "QNN_TENSOR_TYPE_APP_READ"));
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

    /** Writes the emulated binary (to a temporary name, then moved into place). */
    public void write(Path file) throws IOException {
        ObjectNode doc = contextInfo();
        ObjectNode emulation = doc.putObject("fastvlm-emulation");
        emulation.put("kind", kind.name());
        emulation.put("width", width);
        String text = MAGIC + "\n" + JSON.writeValueAsString(doc) + "\n";
        Files.createDirectories(file.toAbsolutePath().getParent());
        Path temp = ModelFiles.temporary(file.toAbsolutePath().getParent(), ".ctx-");
        Files.writeString(temp, text, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Reads an emulated context binary.
     *
     * @throws IOException naming the file if it is not one
     */
    public static EmulatedGraph read(Path file) throws IOException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(MAGIC.length());
        }
        if (!new String(head, StandardCharsets.UTF_8).equals(MAGIC)) {
            throw new IOException(file + " is not an emulated QNN context binary (the emulator only runs the"
                    + " binaries its bundle writer made)");
        }
        String text = Files.readString(file, StandardCharsets.UTF_8).substring(MAGIC.length());
        JsonNode doc = JSON.readTree(text);
        JsonNode emulation = doc.path("fastvlm-emulation");
        JsonNode graph = doc.path("info").path("graphs").path(0).path("info");
        try {
            return new EmulatedGraph(Kind.valueOf(emulation.path("kind").asText()), graph.path("graphName").asText(),
                    tensors(graph.path("graphInputs")), tensors(graph.path("graphOutputs")),
                    emulation.path("width").asInt());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": damaged emulated context binary: " + e.getMessage(), e);
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

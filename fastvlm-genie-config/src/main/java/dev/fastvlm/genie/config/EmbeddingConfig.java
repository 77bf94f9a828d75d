package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code dialog.embedding} block: the width and element type of the embeddings the dialog takes,
 * and optionally the lookup table Genie uses to embed generated tokens.
 *
 * @param size       embedding width; must equal the model's {@code n-embd}
 * @param type       {@code lut} (needs {@code lutPath}) or {@code callback}, or null
 * @param lutPath    the token-to-embedding table on the device, only with type {@code lut}
 * @param datatype   element type, or null (Genie's default, float32)
 * @param quantParam scale and offset of fixed-point embeddings, or null (also when the block lacks either)
 */
public record EmbeddingConfig(int size, String type, String lutPath, EmbeddingDatatype datatype,
                              QuantParam quantParam) {

    /** Genie's embedding type that reads a token-to-embedding lookup table from {@code lut-path}. */
    public static final String TYPE_LUT = "lut";

    /**
     * An embedding of {@code size} elements of {@code datatype}, with no lookup table.
     *
     * @param size embedding width, the model's {@code n-embd}
     * @param datatype element type, or null for Genie's default (float32)
     * @return the block, without a lookup table
     */
    public static EmbeddingConfig of(int size, EmbeddingDatatype datatype) {
        return new EmbeddingConfig(size, null, null, datatype, null);
    }

    /**
     * This embedding, with Genie reading generated tokens' embeddings from the table at {@code path}.
     *
     * @param path the device path of the token-to-embedding table
     * @return a copy of type {@link #TYPE_LUT} reading {@code path}
     */
    public EmbeddingConfig withLut(String path) {
        return new EmbeddingConfig(size, TYPE_LUT, path, datatype, quantParam);
    }

    static EmbeddingConfig read(JsonNode n) {
        String datatypeName = Views.text(n, "datatype");
        JsonNode quant = Views.object(n, "quant-param");
        return new EmbeddingConfig(n.path("size").asInt(), Views.text(n, "type"), Views.text(n, "lut-path"),
                datatypeName == null ? null : EmbeddingDatatype.fromJsonName(datatypeName).orElse(null),
                quant == null ? null : QuantParam.read(quant));
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        node.put("size", size);
        if (type != null) {
            node.put("type", type);
        }
        if (lutPath != null) {
            node.put("lut-path", lutPath);
        }
        if (datatype != null) {
            node.put("datatype", datatype.jsonName());
        }
        if (quantParam != null) {
            node.set("quant-param", quantParam.toJsonNode());
        }
        return node;
    }
}

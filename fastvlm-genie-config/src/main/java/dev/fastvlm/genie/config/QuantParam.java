package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * {@code dialog.embedding.quant-param}: how fixed-point embeddings map to real numbers, in QNN's
 * convention {@code float = (q + offset) * scale}.
 *
 * @param scale  the quantization step
 * @param offset added to the quantized value before scaling
 */
public record QuantParam(double scale, int offset) {

    static QuantParam read(JsonNode n) {
        Double scale = Views.number(n, "scale");
        Integer offset = Views.int32(n, "offset");
        return scale == null || offset == null ? null : new QuantParam(scale, offset);
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        Json.putNumber(node, "scale", scale);
        node.put("offset", offset);
        return node;
    }
}

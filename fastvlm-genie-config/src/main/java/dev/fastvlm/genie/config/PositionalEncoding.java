package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code dialog.engine.model.positional-encoding} block (the newer form of {@code QnnHtp}'s
 * {@code pos-id-dim}/{@code rope-theta}; the two forms exclude each other).
 *
 * @param type        {@code rope}, {@code absolute} or {@code alibi}
 * @param ropeDim     rotary dimension, or null
 * @param ropeTheta   RoPE base, or null
 * @param ropeScaling the {@code rope-scaling} object as written, or null; kept verbatim
 */
public record PositionalEncoding(String type, Integer ropeDim, Double ropeTheta, ObjectNode ropeScaling) {

    /** The positional-encoding type of Qwen2 and most current decoders. */
    public static final String TYPE_ROPE = "rope";

    /**
     * Copies {@code ropeScaling}, so the record stays immutable.
     *
     * @param type {@code rope}, {@code absolute} or {@code alibi}
     * @param ropeDim rotary dimension, or null
     * @param ropeTheta RoPE base, or null
     * @param ropeScaling the {@code rope-scaling} object as written, or null; kept verbatim
     */
    public PositionalEncoding {
        ropeScaling = ropeScaling == null ? null : ropeScaling.deepCopy();
    }

    /**
     * Rotary positional encoding over {@code dim} dimensions with base {@code theta}.
     *
     * @param dim rotary dimension, usually the attention head width
     * @param theta RoPE base, for example 1000000 for Qwen2
     * @return the block
     */
    public static PositionalEncoding rope(int dim, double theta) {
        return new PositionalEncoding(TYPE_ROPE, dim, theta, null);
    }

    /**
     * The {@code rope-scaling} object as written.
     *
     * @return a copy, or null when absent
     */
    @Override
    public ObjectNode ropeScaling() {
        return ropeScaling == null ? null : ropeScaling.deepCopy();
    }

    static PositionalEncoding read(JsonNode n) {
        return new PositionalEncoding(Views.text(n, "type"), Views.int32(n, "rope-dim"), Views.number(n, "rope-theta"),
                Views.object(n, "rope-scaling"));
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("type", type);
        if (ropeDim != null) {
            node.put("rope-dim", ropeDim);
        }
        if (ropeTheta != null) {
            Json.putNumber(node, "rope-theta", ropeTheta);
        }
        if (ropeScaling != null) {
            node.set("rope-scaling", ropeScaling.deepCopy());
        }
        return node;
    }
}

package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code dialog.engine.backend} block: which backend runs the decoder, and that backend's own
 * block (exactly the one {@code type} names).
 *
 * @param type                the backend
 * @param extensions          path of the HTP backend extension JSON on the device, or null
 * @param qnnHtp              the {@code QnnHtp} block, present exactly when type is {@code QnnHtp}
 * @param qnnGenAiTransformer the {@code QnnGenAiTransformer} block, present exactly when type is
 *                            {@code QnnGenAiTransformer}
 */
public record BackendConfig(BackendType type, String extensions, QnnHtpConfig qnnHtp,
                            QnnGenAiTransformerConfig qnnGenAiTransformer) {

    /**
     * The NPU backend with this block and extension JSON path (may be null).
     *
     * @param htp the {@code QnnHtp} block
     * @param extensions device path of the HTP backend extension JSON, or null for none
     * @return the backend block
     */
    public static BackendConfig htp(QnnHtpConfig htp, String extensions) {
        return new BackendConfig(BackendType.QNN_HTP, extensions, htp, null);
    }

    /**
     * The CPU backend with this block.
     *
     * @param cpu the {@code QnnGenAiTransformer} block
     * @return the backend block
     */
    public static BackendConfig genAiTransformer(QnnGenAiTransformerConfig cpu) {
        return new BackendConfig(BackendType.QNN_GEN_AI_TRANSFORMER, null, null, cpu);
    }

    /**
     * This backend with another extension JSON path.
     *
     * @param path device path of the HTP backend extension JSON, or null for none
     * @return a copy with {@code extensions} replaced
     */
    public BackendConfig withExtensions(String path) {
        return new BackendConfig(type, path, qnnHtp, qnnGenAiTransformer);
    }

    static BackendConfig read(JsonNode n) {
        JsonNode htp = Views.object(n, BackendType.QNN_HTP.jsonName());
        JsonNode cpu = Views.object(n, BackendType.QNN_GEN_AI_TRANSFORMER.jsonName());
        return new BackendConfig(BackendType.fromJsonName(n.path("type").asText()).orElse(null),
                Views.text(n, "extensions"), htp == null ? null : QnnHtpConfig.read(htp),
                cpu == null ? null : QnnGenAiTransformerConfig.read(cpu));
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        node.put("type", type.jsonName());
        if (extensions != null) {
            node.put("extensions", extensions);
        }
        if (qnnHtp != null) {
            node.set(BackendType.QNN_HTP.jsonName(), qnnHtp.toJsonNode());
        }
        if (qnnGenAiTransformer != null) {
            node.set(BackendType.QNN_GEN_AI_TRANSFORMER.jsonName(), qnnGenAiTransformer.toJsonNode());
        }
        return node;
    }
}

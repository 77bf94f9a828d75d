package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code QnnGenAiTransformer} block: Genie's CPU decoder, which the seed flow runs. Every field
 * may be null (absent).
 *
 * @param useMmap        map the model file instead of reading it
 * @param kvQuantization quantize the KV cache
 * @param nLogits        logits returned per step
 * @param nLayer         decoder layers
 * @param nEmbd          embedding width
 * @param nHeads         attention heads, normally a multiple of {@code nKvHeads}
 * @param nKvHeads       key/value heads
 * @param modelInput     {@code embeddings} when the dialog is fed embeddings instead of token ids
 * @param sharedEngine   share one engine between dialogs
 */
public record QnnGenAiTransformerConfig(Boolean useMmap, Boolean kvQuantization, Integer nLogits, Integer nLayer,
                                        Integer nEmbd, Integer nHeads, Integer nKvHeads, String modelInput,
                                        Boolean sharedEngine) {

    /**
     * The block of a decoder fed embeddings, with its geometry and the model file mapped.
     *
     * @param nLayer decoder layers
     * @param nEmbd embedding width
     * @param nHeads attention heads
     * @param nKvHeads key/value heads
     * @return the block, with {@code use-mmap} on and {@code model-input} {@link #INPUT_EMBEDDINGS}
     */
    public static QnnGenAiTransformerConfig forEmbeddings(int nLayer, int nEmbd, int nHeads, int nKvHeads) {
        return new QnnGenAiTransformerConfig(true, null, null, nLayer, nEmbd, nHeads, nKvHeads, INPUT_EMBEDDINGS,
                null);
    }

    /** The {@code model-input} value of a decoder fed embeddings rather than token ids. */
    public static final String INPUT_EMBEDDINGS = "embeddings";

    static QnnGenAiTransformerConfig read(JsonNode n) {
        return new QnnGenAiTransformerConfig(Views.bool(n, "use-mmap"), Views.bool(n, "kv-quantization"),
                Views.int32(n, "n-logits"), Views.int32(n, "n-layer"), Views.int32(n, "n-embd"),
                Views.int32(n, "n-heads"), Views.int32(n, "n-kv-heads"), Views.text(n, "model-input"),
                Views.bool(n, "shared-engine"));
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        if (modelInput != null) {
            node.put("model-input", modelInput);
        }
        if (useMmap != null) {
            node.put("use-mmap", useMmap);
        }
        if (kvQuantization != null) {
            node.put("kv-quantization", kvQuantization);
        }
        if (nLogits != null) {
            node.put("n-logits", nLogits);
        }
        if (nLayer != null) {
            node.put("n-layer", nLayer);
        }
        if (nEmbd != null) {
            node.put("n-embd", nEmbd);
        }
        if (nHeads != null) {
            node.put("n-heads", nHeads);
        }
        if (nKvHeads != null) {
            node.put("n-kv-heads", nKvHeads);
        }
        if (sharedEngine != null) {
            node.put("shared-engine", sharedEngine);
        }
        return node;
    }
}

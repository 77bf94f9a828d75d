package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code dialog.context} block: how many tokens the KV cache holds and the special tokens.
 *
 * @param size      context length in tokens (prompt plus generated)
 * @param nVocab    vocabulary size (Genie does not range-check token ids against it)
 * @param bosToken  beginning-of-sequence token; {@code -1} means none
 * @param eosTokens end-of-sequence token(s); Genie accepts a number or an array, one id is written
 *                  as a number
 * @param eotToken  end-of-turn token, or null
 * @param padToken  padding token, or null
 * @param nEmbd     embedding width, or null
 */
public record ContextConfig(int size, int nVocab, int bosToken, List<Integer> eosTokens, Integer eotToken,
                            Integer padToken, Integer nEmbd) {

    /**
     * Copies the end-of-sequence tokens; null counts as none. Bounds are checked by the config's rules, not here.
     *
     * @param size context length in tokens (prompt plus generated)
     * @param nVocab vocabulary size; every token id must be below it
     * @param bosToken beginning-of-sequence token
     * @param eosTokens end-of-sequence token(s); Genie accepts a number or an array, one id is written as a number
     * @param eotToken end-of-turn token, or null
     * @param padToken padding token, or null
     * @param nEmbd embedding width, or null
     */
    public ContextConfig {
        eosTokens = eosTokens == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(eosTokens));
    }

    /**
     * This block with another context length.
     *
     * @param newSize context length in tokens
     * @return a copy with {@code size} replaced
     */
    public ContextConfig withSize(int newSize) {
        return new ContextConfig(newSize, nVocab, bosToken, eosTokens, eotToken, padToken, nEmbd);
    }

    static ContextConfig read(JsonNode n) {
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = n.path("eos-token");
        if (eosNode.isArray()) {
            eosNode.forEach(e -> eos.add(e.asInt()));
        } else if (eosNode.isNumber()) {
            eos.add(eosNode.asInt());
        }
        return new ContextConfig(n.path("size").asInt(), n.path("n-vocab").asInt(), n.path("bos-token").asInt(), eos,
                Views.int32(n, "eot-token"), Views.int32(n, "pad-token"), Views.int32(n, "n-embd"));
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        node.put("size", size);
        node.put("n-vocab", nVocab);
        node.put("bos-token", bosToken);
        if (eosTokens.size() == 1) {
            node.put("eos-token", eosTokens.get(0));
        } else {
            eosTokens.forEach(node.putArray("eos-token")::add);
        }
        if (eotToken != null) {
            node.put("eot-token", eotToken);
        }
        if (padToken != null) {
            node.put("pad-token", padToken);
        }
        if (nEmbd != null) {
            node.put("n-embd", nEmbd);
        }
        return node;
    }
}

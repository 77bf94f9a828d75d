package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The {@code dialog.context} block: how many tokens the KV cache holds and the special tokens.
 *
 * @param size      context length in tokens (prompt plus generated)
 * @param nVocab    vocabulary size; every token id must be below it
 * @param bosToken  beginning-of-sequence token
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

    static ContextConfig read(JsonFields f) {
        f.version();
        Integer size = f.int32("size", true);
        Integer nVocab = f.int32("n-vocab", true);
        Integer bos = f.int32("bos-token", true);
        List<Integer> eos = readEos(f);
        Integer eot = f.int32("eot-token", false);
        Integer pad = f.int32("pad-token", false);
        Integer nEmbd = f.int32("n-embd", false);
        f.rejectUnknownKeys();
        if (size == null || nVocab == null || bos == null || eos == null) {
            return null;
        }
        return new ContextConfig(size, nVocab, bos, eos, eot, pad, nEmbd);
    }

    private static List<Integer> readEos(JsonFields f) {
        if (f.has("eos-token") && f.raw("eos-token").isArray()) {
            return f.array("eos-token", true, (element, path) -> {
                if (element.canConvertToExactIntegral() && element.canConvertToInt()) {
                    return element.asInt();
                }
                f.problems().add(new Violation(path, "must be a 32-bit integer, was " + JsonFields.describe(element)));
                return null;
            });
        }
        Integer single = f.int32("eos-token", true);
        return single == null ? null : List.of(single);
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

package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code dialog.sampler.token-penalty} block; every field may be null (absent).
 *
 * @param penalizeLastN     how many recent tokens the penalties look at
 * @param repetitionPenalty multiplicative penalty for repeated tokens
 * @param presencePenalty   additive penalty for tokens already present
 * @param frequencyPenalty  additive penalty growing with a token's count
 */
public record TokenPenalty(Integer penalizeLastN, Double repetitionPenalty, Double presencePenalty,
                           Double frequencyPenalty) {

    static TokenPenalty read(JsonNode n) {
        return new TokenPenalty(Views.int32(n, "penalize-last-n"), Views.number(n, "repetition-penalty"),
                Views.number(n, "presence-penalty"), Views.number(n, "frequency-penalty"));
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        if (penalizeLastN != null) {
            node.put("penalize-last-n", penalizeLastN);
        }
        if (repetitionPenalty != null) {
            Json.putNumber(node, "repetition-penalty", repetitionPenalty);
        }
        if (presencePenalty != null) {
            Json.putNumber(node, "presence-penalty", presencePenalty);
        }
        if (frequencyPenalty != null) {
            Json.putNumber(node, "frequency-penalty", frequencyPenalty);
        }
        return node;
    }
}

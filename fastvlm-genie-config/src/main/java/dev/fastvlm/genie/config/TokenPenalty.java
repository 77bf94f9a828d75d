package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;

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

    static TokenPenalty read(JsonFields f) {
        f.version();
        TokenPenalty penalty = new TokenPenalty(f.int32("penalize-last-n", false),
                f.number("repetition-penalty", false), f.number("presence-penalty", false),
                f.number("frequency-penalty", false));
        f.rejectUnknownKeys();
        return penalty;
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

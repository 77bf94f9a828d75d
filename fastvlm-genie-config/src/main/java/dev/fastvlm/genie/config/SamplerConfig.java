package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;

/**
 * The {@code dialog.sampler} block; every field may be null (absent, Genie's default applies).
 *
 * @param seed         random seed
 * @param temp         temperature, &gt;= 0
 * @param topK         top-k, &gt;= 1
 * @param topP         nucleus sampling, in (0, 1]
 * @param greedy       always take the most likely token
 * @param type         {@code basic} or {@code custom}
 * @param tokenPenalty repetition/presence/frequency penalties
 */
public record SamplerConfig(Long seed, Double temp, Integer topK, Double topP, Boolean greedy, String type,
                            TokenPenalty tokenPenalty) {

    /**
     * The sampler for these generation options (seed, temperature, top-k, top-p, greedy).
     *
     * @param options the generation options of the request
     * @return the block; type and token penalty left to Genie's defaults
     */
    public static SamplerConfig of(GenerationOptions options) {
        return new SamplerConfig(options.seed(), options.temperature(), options.topK(), options.topP(),
                options.greedy(), null, null);
    }

    static SamplerConfig read(JsonFields f) {
        f.version();
        Long seed = f.integer("seed", false);
        Double temp = f.number("temp", false);
        Integer topK = f.int32("top-k", false);
        Double topP = f.number("top-p", false);
        Boolean greedy = f.bool("greedy", false);
        String type = f.string("type", false);
        JsonFields penaltyFields = f.object("token-penalty", false);
        TokenPenalty penalty = penaltyFields == null ? null : TokenPenalty.read(penaltyFields);
        f.rejectUnknownKeys();
        return new SamplerConfig(seed, temp, topK, topP, greedy, type, penalty);
    }

    ObjectNode toJsonNode() {
        ObjectNode node = Json.object();
        node.put("version", 1);
        if (seed != null) {
            node.put("seed", seed);
        }
        if (temp != null) {
            Json.putNumber(node, "temp", temp);
        }
        if (topK != null) {
            node.put("top-k", topK);
        }
        if (topP != null) {
            Json.putNumber(node, "top-p", topP);
        }
        if (greedy != null) {
            node.put("greedy", greedy);
        }
        if (type != null) {
            node.put("type", type);
        }
        if (tokenPenalty != null) {
            node.set("token-penalty", tokenPenalty.toJsonNode());
        }
        return node;
    }
}

package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.genie.internal.Json;

/**
 * The {@code dialog.sampler} block; every field may be null (absent, Genie's default applies).
 *
 * @param seed         random seed
 * @param temp         temperature (Genie does not range-check sampler values)
 * @param topK         top-k
 * @param topP         nucleus sampling
 * @param greedy       always take the most likely token
 * @param type         {@code basic} or {@code custom} (a custom sampler also names its {@code callback-name},
 *                     kept in the config's JSON)
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

    static SamplerConfig read(JsonNode n) {
        JsonNode penalty = Views.object(n, "token-penalty");
        return new SamplerConfig(Views.int64(n, "seed"), Views.number(n, "temp"), Views.int32(n, "top-k"),
                Views.number(n, "top-p"), Views.bool(n, "greedy"), Views.text(n, "type"),
                penalty == null ? null : TokenPenalty.read(penalty));
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

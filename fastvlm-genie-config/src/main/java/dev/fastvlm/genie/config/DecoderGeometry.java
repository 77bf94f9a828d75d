package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.internal.Json;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a decoder-only transformer, as Genie needs it: read from the model's HuggingFace
 * {@code config.json} ({@link #fromHuggingFaceConfig}), never typed in.
 *
 * @param nEmbd                 hidden size (embedding width)
 * @param nVocab                vocabulary size
 * @param nLayer                decoder layers
 * @param nHeads                attention heads; a multiple of {@code nKvHeads}, dividing {@code nEmbd}
 * @param nKvHeads              key/value heads
 * @param ropeTheta             RoPE base
 * @param maxPositionEmbeddings longest sequence the model was trained for; bounds the context size
 * @param bosToken              beginning-of-sequence token
 * @param eosTokens             end-of-sequence token(s), at least one
 * @param padToken              padding token
 */
public record DecoderGeometry(int nEmbd, int nVocab, int nLayer, int nHeads, int nKvHeads, double ropeTheta,
                              int maxPositionEmbeddings, int bosToken, List<Integer> eosTokens, int padToken) {

    /**
     * Checks the geometry, so a wrong {@code config.json} fails here rather than in Genie on the device.
     *
     * @param nEmbd hidden size (embedding width)
     * @param nVocab vocabulary size
     * @param nLayer decoder layers
     * @param nHeads attention heads; a multiple of {@code nKvHeads}, dividing {@code nEmbd}
     * @param nKvHeads key/value heads
     * @param ropeTheta RoPE base
     * @param maxPositionEmbeddings longest sequence the model was trained for; bounds the context size
     * @param bosToken beginning-of-sequence token
     * @param eosTokens end-of-sequence token(s), at least one
     * @param padToken padding token
     * @throws dev.fastvlm.InvalidConfigurationException naming the field: a size not positive, heads that do not
     *     divide the width or each other, no end-of-sequence token, or a token id outside {@code [0, nVocab)}
     */
    public DecoderGeometry {
        positive("geometry.nEmbd", nEmbd);
        positive("geometry.nVocab", nVocab);
        positive("geometry.nLayer", nLayer);
        positive("geometry.nHeads", nHeads);
        positive("geometry.nKvHeads", nKvHeads);
        positive("geometry.maxPositionEmbeddings", maxPositionEmbeddings);
        if (!(ropeTheta > 0) || !Double.isFinite(ropeTheta)) {
            throw new InvalidConfigurationException("geometry.ropeTheta", "must be a finite number > 0, was "
                    + ropeTheta);
        }
        if (nHeads % nKvHeads != 0) {
            throw new InvalidConfigurationException("geometry.nHeads", "must be a multiple of nKvHeads ("
                    + nKvHeads + "), was " + nHeads);
        }
        if (nEmbd % nHeads != 0) {
            throw new InvalidConfigurationException("geometry.nEmbd", "must be a multiple of nHeads (" + nHeads
                    + "), was " + nEmbd);
        }
        if (eosTokens == null || eosTokens.isEmpty()) {
            throw new InvalidConfigurationException("geometry.eosTokens", "must name at least one token");
        }
        eosTokens = List.copyOf(eosTokens);
        tokenId("geometry.bosToken", bosToken, nVocab);
        for (int eos : eosTokens) {
            tokenId("geometry.eosTokens", eos, nVocab);
        }
        tokenId("geometry.padToken", padToken, nVocab);
    }

    /** {@return width of one attention head ({@code nEmbd / nHeads}): the KV-cache and RoPE dimension} */
    public int headDim() {
        return nEmbd / nHeads;
    }

    /**
     * This geometry with other special tokens.
     *
     * @param bos beginning-of-sequence token id
     * @param eos end-of-sequence token ids, at least one
     * @param pad padding token id
     * @return a copy with the special tokens replaced
     * @throws dev.fastvlm.InvalidConfigurationException when a token id is outside {@code [0, nVocab)} or {@code eos}
     *     is empty
     */
    public DecoderGeometry withTokens(int bos, List<Integer> eos, int pad) {
        return new DecoderGeometry(nEmbd, nVocab, nLayer, nHeads, nKvHeads, ropeTheta, maxPositionEmbeddings, bos,
                eos, pad);
    }

    /**
     * Reads a HuggingFace {@code config.json}: {@code hidden_size}, {@code num_hidden_layers},
     * {@code num_attention_heads}, {@code num_key_value_heads} (HuggingFace's default: the number of
     * attention heads), {@code vocab_size}, {@code rope_theta}, {@code max_position_embeddings}, and
     * {@code bos_token_id}, {@code eos_token_id} (a number or a list), {@code pad_token_id} where
     * present; absent token ids fall back to {@link Qwen2Tokens}. Multimodal configs that keep the
     * decoder under {@code text_config} are read from there.
     *
     * @param configJson the model's HuggingFace {@code config.json}
     * @return the geometry
     * @throws ModelArtifactException naming the file and every missing or malformed key
     */
    public static DecoderGeometry fromHuggingFaceConfig(Path configJson) {
        String text;
        try {
            text = Json.readUtf8(configJson);
        } catch (IOException e) {
            throw new ModelArtifactException(configJson + ": cannot be read: " + e, e);
        }
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(text, error);
        if (root == null || !root.isObject()) {
            throw new ModelArtifactException(configJson + ": " + (root == null ? error : "must be a JSON object"));
        }
        JsonNode config = !root.has("hidden_size") && root.path("text_config").isObject()
                ? root.get("text_config") : root;
        Map<String, Number> values = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        List<String> malformed = new ArrayList<>();
        for (String key : List.of("hidden_size", "num_hidden_layers", "num_attention_heads", "vocab_size",
                "rope_theta", "max_position_embeddings")) {
            JsonNode value = config.get(key);
            if (value == null || value.isNull()) {
                missing.add(key);
            } else if (!value.isNumber() || (!key.equals("rope_theta") && !value.canConvertToExactIntegral())) {
                malformed.add(key + " (was " + value + ")");
            } else {
                values.put(key, value.numberValue());
            }
        }
        JsonNode kvHeads = config.get("num_key_value_heads");
        if (kvHeads != null && !kvHeads.isNull() && !kvHeads.canConvertToExactIntegral()) {
            malformed.add("num_key_value_heads (was " + kvHeads + ")");
        }
        List<Integer> eos = tokenIds(config.get("eos_token_id"), "eos_token_id", malformed);
        List<Integer> bos = tokenIds(config.get("bos_token_id"), "bos_token_id", malformed);
        List<Integer> pad = tokenIds(config.get("pad_token_id"), "pad_token_id", malformed);
        if (!missing.isEmpty() || !malformed.isEmpty()) {
            StringBuilder message = new StringBuilder(configJson.toString()).append(": cannot read the decoder geometry:");
            if (!missing.isEmpty()) {
                message.append(" missing ").append(String.join(", ", missing));
            }
            if (!malformed.isEmpty()) {
                message.append(missing.isEmpty() ? "" : ";").append(" not a number: ")
                        .append(String.join(", ", malformed));
            }
            throw new ModelArtifactException(message.toString());
        }
        int heads = values.get("num_attention_heads").intValue();
        try {
            return new DecoderGeometry(values.get("hidden_size").intValue(), values.get("vocab_size").intValue(),
                    values.get("num_hidden_layers").intValue(), heads,
                    kvHeads == null || kvHeads.isNull() ? heads : kvHeads.intValue(),
                    values.get("rope_theta").doubleValue(), values.get("max_position_embeddings").intValue(),
                    bos == null ? Qwen2Tokens.IM_START : bos.get(0),
                    eos == null ? List.of(Qwen2Tokens.IM_END) : eos,
                    pad == null ? Qwen2Tokens.ENDOFTEXT : pad.get(0));
        } catch (InvalidConfigurationException e) {
            throw new ModelArtifactException(configJson + ": inconsistent decoder geometry: " + e.getMessage(), e);
        }
    }

    private static List<Integer> tokenIds(JsonNode value, String key, List<String> malformed) {
        if (value == null || value.isNull()) {
            return null;
        }
        List<Integer> ids = new ArrayList<>();
        for (JsonNode element : value.isArray() ? value : List.of(value)) {
            if (!element.canConvertToExactIntegral() || !element.canConvertToInt()) {
                malformed.add(key + " (was " + value + ")");
                return null;
            }
            ids.add(element.intValue());
        }
        if (ids.isEmpty()) {
            malformed.add(key + " (was " + value + ")");
            return null;
        }
        return ids;
    }

    private static void positive(String field, int value) {
        if (value <= 0) {
            throw new InvalidConfigurationException(field, "must be > 0, was " + value);
        }
    }

    private static void tokenId(String field, int id, int nVocab) {
        if (id < 0 || id >= nVocab) {
            throw new InvalidConfigurationException(field, "must be a token of the vocabulary [0, " + nVocab
                    + "), was " + id);
        }
    }
}

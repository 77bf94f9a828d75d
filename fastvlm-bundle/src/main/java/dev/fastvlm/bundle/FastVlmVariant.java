package dev.fastvlm.bundle;

import dev.fastvlm.genie.config.DecoderGeometry;

import java.util.Arrays;
import java.util.Optional;

/**
 * The decoders of Apple's released FastVLM checkpoints (docs/qualcomm-formats.md, section 11):
 * hidden size, layers, attention heads, key/value heads and vocabulary rows of their
 * {@code config.json}.
 */
public enum FastVlmVariant {
    /** apple/FastVLM-0.5B (Qwen2-0.5B decoder). */
    FASTVLM_0_5B("0.5B", 896, 24, 14, 2, 151936),
    /** apple/FastVLM-1.5B (Qwen2-1.5B decoder). */
    FASTVLM_1_5B("1.5B", 1536, 28, 12, 2, 151936),
    /** apple/FastVLM-7B (Qwen2-7B decoder). */
    FASTVLM_7B("7B", 3584, 28, 28, 4, 152064);

    private final String label;
    private final int hiddenSize;
    private final int layers;
    private final int heads;
    private final int kvHeads;
    private final int vocabSize;

    FastVlmVariant(String label, int hiddenSize, int layers, int heads, int kvHeads, int vocabSize) {
        this.label = label;
        this.hiddenSize = hiddenSize;
        this.layers = layers;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.vocabSize = vocabSize;
    }

    /**
     * The released variant whose decoder has exactly this geometry.
     *
     * @param g a decoder geometry read from {@code config.json}
     * @return the variant, or empty when no released FastVLM has that geometry
     */
    public static Optional<FastVlmVariant> matching(DecoderGeometry g) {
        return Arrays.stream(values()).filter(v -> v.hiddenSize == g.nEmbd() && v.layers == g.nLayer()
                && v.heads == g.nHeads() && v.kvHeads == g.nKvHeads() && v.vocabSize == g.nVocab()).findFirst();
    }

    /** {@return the variant's geometry in config.json's terms, for messages} */
    public String describe() {
        return "FastVLM-" + label + " (hidden_size " + hiddenSize + ", num_hidden_layers " + layers
                + ", num_attention_heads " + heads + ", num_key_value_heads " + kvHeads + ", vocab_size " + vocabSize + ")";
    }
}

package dev.fastvlm;

import java.util.ArrayList;
import java.util.List;

/**
 * How the decoder generates: length, sampling and stop sequences. Defaults follow the seed flow
 * (temperature 0.8, top-k 40, top-p 0.95, seed 42, sampling on) with at most 128 new tokens and
 * Qwen2's end-of-turn marker as the stop sequence.
 *
 * @param maxNewTokens   upper bound on generated tokens, &gt; 0; lowered to what fits the context
 * @param minNewTokens   tokens that must fit in the context after the prompt, 1..maxNewTokens;
 *                       a prompt leaving less room is rejected before any device work
 * @param temperature    sampling temperature, &gt;= 0
 * @param topK           top-k sampling, &gt;= 1
 * @param topP           nucleus sampling, in (0, 1]
 * @param seed           sampler seed, for reproducible output
 * @param greedy         pick the most likely token, ignoring temperature, top-k and top-p
 * @param stopSequences  text that ends generation when produced
 */
public record GenerationOptions(int maxNewTokens, int minNewTokens, double temperature, int topK,
                                double topP, long seed, boolean greedy, List<String> stopSequences) {

    /** Qwen2's end-of-turn marker, the default stop sequence. */
    public static final String QWEN2_END_OF_TURN = "<|im_end|>";

    /**
     * Checks every field against the bounds above and copies the stop sequences.
     *
     * @param maxNewTokens upper bound on generated tokens, &gt; 0; lowered to what fits the context
     * @param minNewTokens tokens that must fit in the context after the prompt, 1..maxNewTokens; a prompt leaving
     *     less room is rejected before any device work
     * @param temperature sampling temperature, &gt;= 0
     * @param topK top-k sampling, &gt;= 1
     * @param topP nucleus sampling, in (0, 1]
     * @param seed sampler seed, for reproducible output
     * @param greedy pick the most likely token, ignoring temperature, top-k and top-p
     * @param stopSequences text that ends generation when produced
     * @throws InvalidConfigurationException naming the first field out of bounds
     */
    public GenerationOptions {
        Checks.positive(maxNewTokens, "generation.maxNewTokens");
        Checks.check(minNewTokens >= 1 && minNewTokens <= maxNewTokens, "generation.minNewTokens",
                "must be in [1, maxNewTokens=" + maxNewTokens + "], was " + minNewTokens);
        Checks.check(temperature >= 0 && Double.isFinite(temperature), "generation.temperature",
                "must be a finite number >= 0, was " + temperature);
        Checks.positive(topK, "generation.topK");
        Checks.check(topP > 0 && topP <= 1, "generation.topP", "must be in (0, 1], was " + topP);
        Checks.required(stopSequences, "generation.stopSequences", "pass an empty list for none");
        for (String stop : stopSequences) {
            Checks.check(stop != null && !stop.isEmpty(), "generation.stopSequences",
                    "must not contain null or empty strings");
        }
        stopSequences = List.copyOf(stopSequences);
    }

    /**
     * The defaults described above.
     *
     * @return options with the documented defaults
     */
    public static GenerationOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return a builder holding every field of these options
     */
    public Builder toBuilder() {
        return new Builder().maxNewTokens(maxNewTokens).minNewTokens(minNewTokens).temperature(temperature)
                .topK(topK).topP(topP).seed(seed).greedy(greedy).stopSequences(stopSequences);
    }

    /** Mutable builder; {@link #build()} validates every field. */
    public static final class Builder {
        private int maxNewTokens = 128;
        private int minNewTokens = 1;
        private double temperature = 0.8;
        private int topK = 40;
        private double topP = 0.95;
        private long seed = 42;
        private boolean greedy;
        private List<String> stopSequences = new ArrayList<>(List.of(QWEN2_END_OF_TURN));

        private Builder() {
        }

        /**
         * Upper bound on generated tokens; 128 when not set.
         *
         * @param maxNewTokens a positive token count
         * @return this builder
         */
        public Builder maxNewTokens(int maxNewTokens) {
            this.maxNewTokens = maxNewTokens;
            return this;
        }

        /**
         * Tokens that must fit after the prompt for the request to start; 1 when not set.
         *
         * @param minNewTokens between 1 and {@code maxNewTokens}
         * @return this builder
         */
        public Builder minNewTokens(int minNewTokens) {
            this.minNewTokens = minNewTokens;
            return this;
        }

        /**
         * Sampling temperature; 0.8 when not set. Higher values give more varied answers.
         *
         * @param temperature a finite number &gt;= 0
         * @return this builder
         */
        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        /**
         * Top-k sampling: only the {@code topK} most likely tokens are candidates; 40 when not set.
         *
         * @param topK at least 1
         * @return this builder
         */
        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        /**
         * Nucleus sampling: only the most likely tokens whose probabilities add up to {@code topP} are candidates;
         * 0.95 when not set.
         *
         * @param topP in (0, 1]
         * @return this builder
         */
        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        /**
         * The sampler's seed, for reproducible output; 42 when not set.
         *
         * @param seed any value
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Greedy decoding: always the most likely token, ignoring temperature, top-k and top-p; off when not set.
         *
         * @param greedy {@code true} for greedy decoding
         * @return this builder
         */
        public Builder greedy(boolean greedy) {
            this.greedy = greedy;
            return this;
        }

        /**
         * Replaces the stop sequences (null is rejected at {@link #build()}).
         *
         * @param stopSequences texts that end generation when produced; empty for none
         * @return this builder
         */
        public Builder stopSequences(List<String> stopSequences) {
            this.stopSequences = stopSequences == null ? null : new ArrayList<>(stopSequences);
            return this;
        }

        /**
         * Validates and creates the options.
         *
         * @return the options
         * @throws InvalidConfigurationException naming the first field out of bounds
         */
        public GenerationOptions build() {
            return new GenerationOptions(maxNewTokens, minNewTokens, temperature, topK, topP, seed, greedy,
                    stopSequences);
        }
    }
}

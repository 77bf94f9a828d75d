package dev.fastvlm.emulator;

/**
 * The latencies the emulated tools report (in their profile) and, if {@code sleep}, also spend,
 * model loads included: a real {@code qnn-net-run} loads its context binary on every run and a
 * real {@code genie-t2t-run} creates (loads) its dialog on every run, while a program that keeps
 * the libraries loaded pays each load once.
 *
 * <p>The one place for the figures of {@link #REALISTIC}, each from a public measurement on a
 * Snapdragon phone (recorded in {@code docs/qualcomm-formats.md}, section 12):
 * <ul>
 *   <li>Genie {@code init-time} 1,124,713 us, {@code prompt-processing-rate} 1547.99 tokens/s,
 *       {@code token-generation-rate} 38.53 tokens/s: Genie's profile of Llama-3.2-1B on an
 *       SM8750 (Snapdragon 8 Elite), the {@code perf.json} of the real-files collection
 *       ({@code profile/llama32-1b-gqa_sm8750_perf.json});</li>
 *   <li>vision encoder: 89 ms per inference and about 0.3 s to load its context warm (35 s
 *       cold): the FastVLM seed project's AI Hub benchmarks, as quoted in issue #21;</li>
 *   <li>text embedder: 15 ms per inference, an estimate for a 512-row embedding lookup (no
 *       public figure).</li>
 * </ul>
 *
 * @param visionEncoderMillis   one qnn-net-run inference of the vision encoder
 * @param textEmbedderMillis    one qnn-net-run inference of the text embedder
 * @param contextLoadMillis     loading a context binary: once per qnn-net-run run, once per in-process context
 * @param decoderInitMillis     Genie dialog creation: once per genie-t2t-run run, once per in-process dialog
 * @param promptTokensPerSecond prompt processing rate (gives the time to first token)
 * @param tokensPerSecond       generation rate
 * @param sleep                 really wait those times (demos, benchmarks) or only report them (tests)
 */
public record EmulatedTiming(long visionEncoderMillis, long textEmbedderMillis, long contextLoadMillis,
                             long decoderInitMillis, double promptTokensPerSecond, double tokensPerSecond,
                             boolean sleep) {

    /** The {@link #REALISTIC} figures, reported but not waited for. */
    public static final EmulatedTiming INSTANT = new EmulatedTiming(89, 15, 300, 1125, 1548, 38.5, false);

    /** Snapdragon 8 Elite figures from public measurements (see the class comment), really waited for. */
    public static final EmulatedTiming REALISTIC = new EmulatedTiming(89, 15, 300, 1125, 1548, 38.5, true);

    /**
     * Checks the figures.
     *
     * @param visionEncoderMillis one qnn-net-run inference of the vision encoder
     * @param textEmbedderMillis one qnn-net-run inference of the text embedder
     * @param contextLoadMillis loading a context binary
     * @param decoderInitMillis Genie dialog creation
     * @param promptTokensPerSecond prompt processing rate (gives the time to first token)
     * @param tokensPerSecond generation rate
     * @param sleep really wait those times (demos, benchmarks) or only report them (tests)
     * @throws IllegalArgumentException when a latency is negative or a rate not positive
     */
    public EmulatedTiming {
        if (visionEncoderMillis < 0 || textEmbedderMillis < 0 || contextLoadMillis < 0 || decoderInitMillis < 0) {
            throw new IllegalArgumentException("latencies must be >= 0");
        }
        if (!(promptTokensPerSecond > 0) || !(tokensPerSecond > 0)) {
            throw new IllegalArgumentException("rates must be > 0 tokens/s");
        }
    }

    /**
     * As an environment value the emulated tools parse back ({@code EmulatedTiming#parse}).
     *
     * @return the seven fields, comma-separated
     */
    public String encode() {
        return visionEncoderMillis + "," + textEmbedderMillis + "," + contextLoadMillis + "," + decoderInitMillis
                + "," + promptTokensPerSecond + "," + tokensPerSecond + "," + sleep;
    }

    /**
     * Reads what {@link #encode()} wrote.
     *
     * @param encoded the value, or null or blank for {@link #INSTANT}
     * @return the timing
     * @throws IllegalArgumentException when the value does not hold seven fields of the right types
     */
    public static EmulatedTiming parse(String encoded) {
        if (encoded == null || encoded.isBlank()) {
            return INSTANT;
        }
        String[] f = encoded.split(",");
        if (f.length != 7) {
            throw new IllegalArgumentException("timing needs 7 comma-separated fields, was " + encoded);
        }
        return new EmulatedTiming(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Long.parseLong(f[3]), Double.parseDouble(f[4]), Double.parseDouble(f[5]),
                Boolean.parseBoolean(f[6]));
    }
}

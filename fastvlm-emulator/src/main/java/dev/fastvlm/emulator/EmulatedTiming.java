package dev.fastvlm.emulator;

/**
 * The latencies the emulated tools report (in their profile) and, if {@code sleep}, also spend.
 *
 * @param visionEncoderMillis   one qnn-net-run inference of the vision encoder
 * @param textEmbedderMillis    one qnn-net-run inference of the text embedder
 * @param decoderInitMillis     Genie dialog creation
 * @param promptTokensPerSecond prompt processing rate (gives the time to first token)
 * @param tokensPerSecond       generation rate
 * @param sleep                 really wait those times (demos, benchmarks) or only report them (tests)
 */
public record EmulatedTiming(long visionEncoderMillis, long textEmbedderMillis, long decoderInitMillis,
                             double promptTokensPerSecond, double tokensPerSecond, boolean sleep) {

    /** Snapdragon 8 Elite-like figures, reported but not waited for. */
    public static final EmulatedTiming INSTANT = new EmulatedTiming(120, 15, 450, 1550, 40, false);

    /** Snapdragon 8 Elite-like figures, really waited for. */
    public static final EmulatedTiming REALISTIC = new EmulatedTiming(120, 15, 450, 1550, 40, true);

    /**
     * Checks the figures.
     *
     * @param visionEncoderMillis one qnn-net-run inference of the vision encoder
     * @param textEmbedderMillis one qnn-net-run inference of the text embedder
     * @param decoderInitMillis Genie dialog creation
     * @param promptTokensPerSecond prompt processing rate (gives the time to first token)
     * @param tokensPerSecond generation rate
     * @param sleep really wait those times (demos, benchmarks) or only report them (tests)
     * @throws IllegalArgumentException when a latency is negative or a rate not positive
     */
    public EmulatedTiming {
        if (visionEncoderMillis < 0 || textEmbedderMillis < 0 || decoderInitMillis < 0) {
            throw new IllegalArgumentException("latencies must be >= 0");
        }
        if (!(promptTokensPerSecond > 0) || !(tokensPerSecond > 0)) {
            throw new IllegalArgumentException("rates must be > 0 tokens/s");
        }
    }

    /**
     * As an environment value the emulated tools parse back ({@code EmulatedTiming#parse}).
     *
     * @return the six fields, comma-separated
     */
    public String encode() {
        return visionEncoderMillis + "," + textEmbedderMillis + "," + decoderInitMillis + "," + promptTokensPerSecond
                + "," + tokensPerSecond + "," + sleep;
    }

    /**
     * Reads what {@link #encode()} wrote.
     *
     * @param encoded the value, or null or blank for {@link #INSTANT}
     * @return the timing
     * @throws IllegalArgumentException when the value does not hold six fields of the right types
     */
    public static EmulatedTiming parse(String encoded) {
        if (encoded == null || encoded.isBlank()) {
            return INSTANT;
        }
        String[] f = encoded.split(",");
        if (f.length != 6) {
            throw new IllegalArgumentException("timing needs 6 comma-separated fields, was " + encoded);
        }
        return new EmulatedTiming(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Double.parseDouble(f[3]), Double.parseDouble(f[4]), Boolean.parseBoolean(f[5]));
    }
}

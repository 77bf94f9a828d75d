package dev.fastvlm;

/**
 * Receives the answer piece by piece as the decoder produces it. Called on the thread that runs the
 * request; each piece is whole text (never half of a multi-byte character).
 */
@FunctionalInterface
public interface TokenListener {
    /** A listener that ignores every piece. */
    TokenListener NONE = piece -> {
    };

    /**
     * Receives the next piece of the answer.
     *
     * @param piece the text decoded since the previous call, in whole characters
     */
    void onToken(String piece);
}

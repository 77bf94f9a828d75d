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

    void onToken(String piece);
}

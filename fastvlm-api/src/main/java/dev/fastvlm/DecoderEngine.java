package dev.fastvlm;

/** How Genie runs the decoder. */
public enum DecoderEngine {
    /** A {@code genie-t2t-run} program per request, which loads the model each time (the seed flow). */
    PROCESS,
    /**
     * {@code libGenie.so} loaded into this JVM through JNA, the model loaded once per {@link FastVlm}.
     * Only on the device itself: needs a local transport.
     */
    IN_PROCESS
}

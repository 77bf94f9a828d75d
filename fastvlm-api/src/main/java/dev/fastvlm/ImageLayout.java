package dev.fastvlm;

/** Where the image's embedding rows go in the decoder's input sequence. */
public enum ImageLayout {
    /** All vision rows before the whole templated prompt: the seed flow's layout. */
    PREPEND,
    /**
     * The vision rows replace an {@code <image>} placeholder at the start of the user turn: the
     * layout FastVLM (LLaVA) was trained on.
     */
    PLACEHOLDER
}

package dev.fastvlm;

/** Where the prompt's text embedding rows come from; both give the same rows. */
public enum TextEmbeddingSource {
    /**
     * Gathered on the host from the memory-mapped embedding table ({@code LUT.bin}): one device
     * program, one push and one pull less per request. The default.
     */
    HOST_TABLE,
    /** Computed on the device by the text embedder's context binary with {@code qnn-net-run}: the seed flow. */
    DEVICE_EMBEDDER
}

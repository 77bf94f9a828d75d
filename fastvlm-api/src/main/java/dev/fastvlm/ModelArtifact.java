package dev.fastvlm;

/** The files a FastVLM model bundle is made of. */
public enum ModelArtifact {
    /** The vision encoder's QNN context binary (INT8 or FP16). */
    VISION_ENCODER,
    /** The vision encoder's context-info JSON, as written by {@code qnn-context-binary-utility}. */
    VISION_ENCODER_INFO,
    /** The text embedder's QNN context binary; optional when the embedding table is present. */
    TEXT_EMBEDDER,
    /** The decoder: a model library binary (CPU) or a context binary (HTP). */
    DECODER,
    /** The token embedding table ({@code LUT.bin}): headerless row-major [n_vocab, n_embd]. */
    EMBEDDING_TABLE,
    /** The HuggingFace {@code tokenizer.json}; {@code tokenizer_config.json} beside it is used when present. */
    TOKENIZER
}

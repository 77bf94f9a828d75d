package dev.fastvlm;

/** Which Genie engine backend runs the Qwen2 decoder. */
public enum DecoderBackend {
    /** {@code QnnGenAiTransformer}: the CPU decoder of the seed flow, from a model library binary. */
    CPU,
    /** {@code QnnHtp}: the NPU decoder, from HTP context binaries. */
    HTP
}

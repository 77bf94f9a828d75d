package dev.fastvlm.genie.config;

/**
 * The special tokens of FastVLM's Qwen2 tokenizer, the one place this project spells them. They are
 * used only where a model's {@code config.json} does not name its own.
 */
public final class Qwen2Tokens {
    /** {@code <|endoftext|>}, also Qwen2's padding token. */
    public static final int ENDOFTEXT = 151643;
    /** {@code <|im_start|>}, which opens a chat turn; the seed flow's {@code bos-token}. */
    public static final int IM_START = 151644;
    /** {@code <|im_end|>}, which closes a chat turn; the end-of-sequence token of a chat answer. */
    public static final int IM_END = 151645;

    private Qwen2Tokens() {
    }
}

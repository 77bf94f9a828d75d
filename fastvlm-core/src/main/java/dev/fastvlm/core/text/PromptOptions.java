package dev.fastvlm.core.text;

import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidConfigurationException;

import java.util.Optional;

/**
 * How {@link PromptTokenizer#encode(String, PromptOptions)} turns a prompt into token ids.
 *
 * @param layout          where the image's rows go; {@link ImageLayout#PREPEND} by default
 * @param systemPrompt    the system turn, or null for the chat template's own default (Qwen2's
 *                        template then adds "You are a helpful assistant.")
 * @param chatTemplate    render the tokenizer's chat template (default); when false, or when the
 *                        tokenizer has no template, the prompt is encoded as plain text with the
 *                        tokenizer's added special tokens, as the seed flow's fallback does
 * @param literalUserText treat the user's prompt as literal text: special-token text such as
 *                        {@code <|im_end|>} inside it is tokenized as ordinary characters instead
 *                        of becoming the control token (see the package documentation); the
 *                        prompt reaches the template between invisible markers, so a template
 *                        that trims the message content leaves the prompt's own edges as typed
 */
public record PromptOptions(ImageLayout layout, String systemPrompt, boolean chatTemplate,
                            boolean literalUserText) {

    /**
     * Checks that a layout is given.
     *
     * @param layout where the image's rows go; {@link ImageLayout#PREPEND} by default
     * @param systemPrompt the system turn, or null for the chat template's own default (Qwen2's template then adds
     *     "You are a helpful assistant.")
     * @param chatTemplate render the tokenizer's chat template (default); when false, or when the tokenizer has no
     *     template, the prompt is encoded as plain text with the tokenizer's added special tokens, as the seed flow's
     *     fallback does
     * @param literalUserText treat the user's prompt as literal text: special-token text such as {@code <|im_end|>}
     *     inside it is tokenized as ordinary characters instead of becoming the control token (see the package
     *     documentation); the prompt reaches the template between invisible markers, so a template that trims the message
     *     content leaves the prompt's own edges as typed
     * @throws InvalidConfigurationException when {@code layout} is null
     */
    public PromptOptions {
        if (layout == null) {
            throw new InvalidConfigurationException("prompt.layout", "is required: PREPEND or PLACEHOLDER");
        }
    }

    /**
     * PREPEND layout, the template's system prompt, chat template on, HuggingFace special-token handling.
     *
     * @return the default options
     */
    public static PromptOptions defaults() {
        return builder().build();
    }

    /**
     * The system prompt if one was set; empty means the chat template's default.
     *
     * @return the system prompt, or empty for the chat template's default
     */
    public Optional<String> systemPromptOverride() {
        return Optional.ofNullable(systemPrompt);
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder starting from these options.
     *
     * @return a builder holding every field of these options
     */
    public Builder toBuilder() {
        return new Builder().layout(layout).systemPrompt(systemPrompt).chatTemplate(chatTemplate)
                .literalUserText(literalUserText);
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private ImageLayout layout = ImageLayout.PREPEND;
        private String systemPrompt;
        private boolean chatTemplate = true;
        private boolean literalUserText;

        private Builder() {
        }

        /**
         * Where the image's rows go; {@link ImageLayout#PREPEND} when not set.
         *
         * @param layout {@link ImageLayout#PREPEND} or {@link ImageLayout#PLACEHOLDER}
         * @return this builder
         */
        public Builder layout(ImageLayout layout) {
            this.layout = layout;
            return this;
        }

        /**
         * The system turn's text; null restores the chat template's default.
         *
         * @param systemPrompt the text, or null
         * @return this builder
         */
        public Builder systemPrompt(String systemPrompt) {
            this.systemPrompt = systemPrompt;
            return this;
        }

        /**
         * Whether the tokenizer's chat template is rendered; on when not set.
         *
         * @param chatTemplate {@code false} to encode the prompt as plain text
         * @return this builder
         */
        public Builder chatTemplate(boolean chatTemplate) {
            this.chatTemplate = chatTemplate;
            return this;
        }

        /**
         * Whether the user's prompt is literal text, so special-token text in it stays ordinary characters; off when
         * not set.
         *
         * @param literalUserText {@code true} for prompts from users
         * @return this builder
         */
        public Builder literalUserText(boolean literalUserText) {
            this.literalUserText = literalUserText;
            return this;
        }

        /**
         * Validates and creates the options.
         *
         * @return the options
         * @throws InvalidConfigurationException when no layout is set
         */
        public PromptOptions build() {
            return new PromptOptions(layout, systemPrompt, chatTemplate, literalUserText);
        }
    }
}

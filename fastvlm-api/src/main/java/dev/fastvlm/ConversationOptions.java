package dev.fastvlm;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * How a {@link Conversation} starts: its image (if any), its system prompt, the exchanges it already
 * had (when a stateless caller, such as an OpenAI-compatible server, sends the whole conversation
 * with every question), and what to do when the history outgrows the context. Immutable; made by {@link #builder()}.
 *
 * <pre>{@code
 * ConversationOptions.builder().image(Path.of("street.jpg")).systemPrompt("Answer briefly.").build()
 * }</pre>
 */
public final class ConversationOptions {

    private final ImageInput image;
    private final String systemPrompt;
    private final ContextOverflow contextOverflow;
    private final List<Conversation.Turn> history;

    private ConversationOptions(Builder builder) {
        this.history = builder.history;
        this.image = builder.image;
        this.systemPrompt = builder.systemPrompt;
        this.contextOverflow = builder.contextOverflow;
    }

    /**
     * A new builder.
     *
     * @return a builder with the defaults documented on each setter
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The image every question of the conversation is about.
     *
     * @return the image, or empty for a text-only conversation (no vision rows, no vision encoder)
     */
    public Optional<ImageInput> image() {
        return Optional.ofNullable(image);
    }

    /**
     * The conversation's system turn.
     *
     * @return the system prompt, or empty for the instance's ({@link FastVlm.Builder#systemPrompt}, else the chat
     *     template's own)
     */
    public Optional<String> systemPrompt() {
        return Optional.ofNullable(systemPrompt);
    }

    /**
     * What happens when a question would not fit the context.
     *
     * @return the overflow policy
     */
    public ContextOverflow contextOverflow() {
        return contextOverflow;
    }

    /**
     * The exchanges the conversation starts with, as if they had been asked and answered in it.
     *
     * @return the earlier turns, oldest first; empty for a new conversation
     */
    public List<Conversation.Turn> history() {
        return history;
    }

    /** Collects the options; {@link #build()} checks them. */
    public static final class Builder {
        private ImageInput image;
        private String systemPrompt;
        private ContextOverflow contextOverflow = ContextOverflow.FAIL;
        private List<Conversation.Turn> history = List.of();

        private Builder() {
        }

        /**
         * The image the conversation is about; when not set, the conversation is text only: its
         * prompts are the chat template without an image and the vision encoder never runs.
         *
         * @param image the picture, read and encoded once, on the first question; null for none
         * @return this builder
         */
        public Builder image(ImageInput image) {
            this.image = image;
            return this;
        }

        /**
         * The image file the conversation is about.
         *
         * @param image the image file (any format {@link ImageInput#of(Path)} reads)
         * @return this builder
         */
        public Builder image(Path image) {
            return image(ImageInput.of(image));
        }

        /**
         * The conversation's system turn; when not set, the instance's, else the chat template's own.
         * Trusted text, as {@link FastVlm.Builder#systemPrompt} is.
         *
         * @param systemPrompt the system prompt, or null for the default
         * @return this builder
         */
        public Builder systemPrompt(String systemPrompt) {
            this.systemPrompt = systemPrompt;
            return this;
        }

        /**
         * What to do when a question would not fit the context; {@link ContextOverflow#FAIL} when not set.
         *
         * @param contextOverflow {@link ContextOverflow#FAIL} or {@link ContextOverflow#DROP_OLDEST}
         * @return this builder
         */
        public Builder contextOverflow(ContextOverflow contextOverflow) {
            this.contextOverflow = contextOverflow;
            return this;
        }

        /**
         * Exchanges the conversation already had: its next question is answered with them in the
         * prompt (each counts against the context like an answered turn). The image's rows are still
         * encoded once, on the first question, or taken from the instance's vision cache.
         *
         * @param history earlier questions and answers, oldest first
         * @return this builder
         */
        public Builder history(List<Conversation.Turn> history) {
            this.history = List.copyOf(Checks.required(history, "history", "a list of turns (may be empty)"));
            return this;
        }

        /**
         * Checks the options and makes them.
         *
         * @return the options
         * @throws InvalidConfigurationException naming the field that is missing (the overflow policy)
         */
        public ConversationOptions build() {
            Checks.required(contextOverflow, "contextOverflow", "FAIL or DROP_OLDEST");
            return new ConversationOptions(this);
        }
    }
}

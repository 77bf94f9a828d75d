package dev.fastvlm.core.pipeline;

import dev.fastvlm.ContextOverflow;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.text.ChatTurn;
import dev.fastvlm.core.text.ConversationPrompt;
import dev.fastvlm.core.text.PromptOptions;
import dev.fastvlm.core.text.PromptTokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a conversation remembers: its options, its answered turns and its image's rows once
 * encoded. Used by one question at a time (its conversation serializes them); the pipeline reads
 * it and keeps the vision rows, the conversation adds each answered turn.
 */
final class ConversationState {

    private final ConversationOptions options;
    private final List<ChatTurn> history = new ArrayList<>();
    private volatile VisionEmbeddings vision;

    ConversationState(ConversationOptions options) {
        this.options = options;
        options.history().forEach(turn -> history.add(new ChatTurn(turn.question(), turn.answer())));
    }

    /** The conversation's image, or empty for a text-only conversation. */
    Optional<ImageInput> image() {
        return options.image();
    }

    Optional<String> systemPrompt() {
        return options.systemPrompt();
    }

    /** The image's rows, or null before the first question's vision encoder ran (and always without an image). */
    VisionEmbeddings vision() {
        return vision;
    }

    void keepVision(VisionEmbeddings rows) {
        vision = rows;
    }

    /** The number of answered turns. */
    synchronized int size() {
        return history.size();
    }

    synchronized void add(ChatTurn turn) {
        history.add(turn);
    }

    /**
     * The prompt of the next question: the whole history when it fits the context with room for
     * {@code generation.minNewTokens()}; else, with {@link ContextOverflow#DROP_OLDEST}, without as
     * many of the oldest exchanges as it takes. The image always stays.
     *
     * @throws InvalidInputException when it does not fit (and the policy is FAIL, or nothing is left to drop),
     *     naming the history's tokens, the new turn's, the context size and the room left
     */
    synchronized Fitted fit(PromptTokenizer tokenizer, PromptOptions promptOptions, String question, int visionRows,
                            int contextSize, GenerationOptions generation) {
        for (int dropped = 0; ; dropped++) {
            ConversationPrompt prompt = tokenizer.encodeConversation(history.subList(dropped, history.size()),
                    question, promptOptions);
            long room = (long) contextSize - visionRows - prompt.prompt().size();
            if (room >= generation.minNewTokens()) {
                return new Fitted(prompt, dropped);
            }
            if (options.contextOverflow() == ContextOverflow.FAIL || dropped == history.size()) {
                int historyTokens = visionRows + prompt.historyTokens();
                int newTokens = prompt.prompt().size() - prompt.historyTokens();
                throw new InvalidInputException("the conversation does not fit the decoder's context: history "
                        + historyTokens + " tokens (" + visionRows + " image rows, " + (history.size() - dropped)
                        + " earlier exchanges" + (dropped > 0 ? ", " + dropped + " oldest dropped" : "")
                        + ") + new turn " + newTokens + " tokens = " + (historyTokens + newTokens) + " of the "
                        + contextSize + "-token context, room left " + Math.max(room, 0) + " new tokens but "
                        + generation.minNewTokens() + " needed (minNewTokens)"
                        + (options.contextOverflow() == ContextOverflow.FAIL
                        ? "; ContextOverflow.DROP_OLDEST drops the oldest exchanges instead" : ""));
            }
        }
    }

    /**
     * A prompt that fits.
     *
     * @param prompt the conversation's tokens
     * @param dropped how many of the oldest exchanges it leaves out
     */
    record Fitted(ConversationPrompt prompt, int dropped) {
    }
}

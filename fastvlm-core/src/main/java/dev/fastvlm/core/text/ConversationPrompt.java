package dev.fastvlm.core.text;

/**
 * A whole conversation's prompt, and how much of it the history before the new question takes.
 *
 * @param prompt        every text token of the conversation rendered through the chat template,
 *                      ending with the generation prompt of the new question's answer
 * @param historyTokens the text tokens up to the end of the last answer (0 for the first
 *                      question): a decoder that kept its cache from the previous turn needs only
 *                      the tokens after these, the previous answer's end-of-turn first
 */
public record ConversationPrompt(EncodedPrompt prompt, int historyTokens) {
    /**
     * Checks that the history fits the prompt.
     *
     * @param prompt every text token of the conversation
     * @param historyTokens the text tokens up to the end of the last answer
     * @throws IllegalArgumentException when {@code historyTokens} is outside {@code [0, prompt.size()]}
     */
    public ConversationPrompt {
        if (historyTokens < 0 || historyTokens > prompt.size()) {
            throw new IllegalArgumentException("historyTokens " + historyTokens + " outside [0, " + prompt.size() + "]");
        }
    }
}

package dev.fastvlm;

/** What a {@link Conversation} does when its next question would not fit the decoder's context. */
public enum ContextOverflow {
    /**
     * The question fails with {@link InvalidInputException} before any device work; its message
     * names the history's tokens, the new turn's, the context size and the room left. The default.
     */
    FAIL,
    /**
     * The oldest earlier exchanges (a question and its answer together) are left out of the prompt
     * until the new question fits with room for {@link GenerationOptions#minNewTokens()}. The image
     * and the system prompt always stay; the first exchange's question is dropped with it, the
     * image then standing alone at the head of the first remaining question. The conversation
     * still remembers every exchange ({@link Conversation#turns()}); only the prompt forgets them.
     * When even the new question alone does not fit, it fails as {@link #FAIL} does.
     */
    DROP_OLDEST
}

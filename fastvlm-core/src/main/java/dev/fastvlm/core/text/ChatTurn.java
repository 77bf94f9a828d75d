package dev.fastvlm.core.text;

import java.util.Objects;

/**
 * One earlier exchange of a conversation: the user's question and the model's answer to it.
 *
 * @param user      the question as the user wrote it
 * @param assistant the answer as the model gave it
 */
public record ChatTurn(String user, String assistant) {
    /**
     * Checks that both texts are present.
     *
     * @param user the question as the user wrote it
     * @param assistant the answer as the model gave it
     * @throws NullPointerException when a text is null
     */
    public ChatTurn {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(assistant, "assistant");
    }
}

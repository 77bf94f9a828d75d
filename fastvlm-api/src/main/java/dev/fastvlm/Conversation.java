package dev.fastvlm;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Questions one after another about one image (or none), each answered with the whole conversation so far
 * in the prompt: the system turn, every earlier question and answer, and the new question,
 * rendered by the model's own chat template. Opened by {@link FastVlm#conversation}.
 *
 * <pre>{@code
 * try (Conversation chat = vlm.conversation(ConversationOptions.builder().image(Path.of("street.jpg")).build())) {
 *     chat.ask("Describe the image.", System.out::print);
 *     Description d = chat.ask("What colour is the car?");
 *     chat.askAsync("And the sky?", GenerationOptions.builder().maxNewTokens(16).build(), TokenListener.NONE);
 * }
 * }</pre>
 *
 * <p>The vision encoder runs once, on the first question; later questions reuse its rows. With
 * {@link DecoderEngine#IN_PROCESS} the decoder keeps the conversation in its context between
 * questions and processes only each new question's tokens (several conversations on one instance
 * take turns: one whose context another has replaced replays its history on its next question).
 *
 * <p>Threads: a conversation answers one question at a time, in the order they are asked; a
 * question asked while another runs waits for it. Its {@link #askAsync} questions run on the
 * conversation's own thread ({@code fastvlm-conversation-N}), ended by {@link #close()}. Several
 * conversations of one instance run side by side, sharing the device as concurrent
 * {@link FastVlm#describe} requests do.
 */
public interface Conversation extends AutoCloseable {

    /**
     * Asks the next question with the instance's generation settings, streaming the answer.
     *
     * @param question the question, as the user wrote it
     * @param listener receives each piece of the answer, on the calling thread; {@link TokenListener#NONE} for none
     * @return the answer with this question's own figures
     * @throws InvalidInputException the question does not fit the context (with {@link ContextOverflow#FAIL})
     * @throws DeviceException the device cannot be reached
     * @throws DeviceToolException a device program failed
     * @throws FastVlmTimeoutException the question took longer than the request timeout
     * @throws CancelledException the conversation or its instance is closed, or the thread was interrupted
     */
    default Description ask(String question, TokenListener listener) {
        return ask(question, null, listener);
    }

    /**
     * Asks the next question; the answer comes whole.
     *
     * @param question the question, as the user wrote it
     * @return the answer with this question's own figures
     * @throws InvalidInputException the question does not fit the context (with {@link ContextOverflow#FAIL})
     * @throws DeviceException the device cannot be reached
     * @throws FastVlmTimeoutException the question took longer than the request timeout
     * @throws CancelledException the conversation or its instance is closed
     */
    default Description ask(String question) {
        return ask(question, null, TokenListener.NONE);
    }

    /**
     * Asks the next question with its own generation settings, which replace the instance's for
     * this question only (max new tokens, sampling, seed, greedy, stop sequences).
     *
     * @param question the question, as the user wrote it
     * @param generation this question's settings, or null for the instance's
     * @param listener receives each piece of the answer, on the calling thread; {@link TokenListener#NONE} for none
     * @return the answer with this question's own figures
     * @throws InvalidInputException the question does not fit the context (with {@link ContextOverflow#FAIL})
     * @throws DeviceException the device cannot be reached
     * @throws DeviceToolException a device program failed
     * @throws FastVlmTimeoutException the question took longer than the request timeout
     * @throws CancelledException the conversation or its instance is closed, or the thread was interrupted
     */
    Description ask(String question, GenerationOptions generation, TokenListener listener);

    /**
     * Asks the next question on the conversation's own thread. Cancelling the future (with or
     * without {@code mayInterruptIfRunning}) stops the question's device work; a cancelled
     * question leaves no turn behind.
     *
     * @param question the question, as the user wrote it
     * @param generation this question's settings, or null for the instance's
     * @param listener receives each piece of the answer, on the conversation's thread
     * @return a future completing with the answer, or exceptionally with what {@link #ask} throws
     * @throws CancelledException the conversation is closed
     */
    CompletableFuture<Description> askAsync(String question, GenerationOptions generation, TokenListener listener);

    /**
     * The exchanges so far, oldest first: each answered question with its answer.
     *
     * @return an immutable copy of the conversation's turns
     */
    List<Turn> turns();

    /**
     * Ends the conversation: a running {@link #askAsync} question is cancelled, and the decoder's
     * context is released. Safe from any thread, and more than once.
     */
    @Override
    void close();

    /**
     * One answered question.
     *
     * @param question the question as asked
     * @param answer the model's answer
     */
    record Turn(String question, String answer) {
        /**
         * Checks both texts.
         *
         * @param question the question as asked
         * @param answer the model's answer
         * @throws InvalidConfigurationException when a text is null
         */
        public Turn {
            Checks.required(question, "question", "the question");
            Checks.required(answer, "answer", "the answer");
        }
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;

/**
 * The decoder stage: a prompt's combined rows in, the streamed answer and Genie's figures out. One
 * engine per {@link DecoderEngine}, chosen at {@code build()}; it serves every request of the
 * instance, one at a time (the pipeline holds the device's lock around each call).
 */
interface Decoder extends AutoCloseable {

    /**
     * Generates the answer to one prompt.
     *
     * @param work the request's device, clock, directory and time limit
     * @param combined the prompt's rows: text and vision in their layout
     * @param generation the request's generation settings
     * @param maxNewTokens the most tokens that fit the context after the prompt, &gt; 0
     * @param turn which dialog the prompt belongs to; an engine that keeps its context may send only
     *     the rows after {@link DialogTurn#historyRows()} when the prompt follows the one it served last
     * @param listener receives each piece of the answer
     * @return the answer and Genie's figures
     */
    DecoderOutput decode(RequestWork work, CombinedEmbeddings combined, GenerationOptions generation,
                         int maxNewTokens, DialogTurn turn, TokenListener listener);

    /**
     * Forgets what the engine keeps for {@code owner} (a conversation that ended). Called with the
     * device's lock held.
     *
     * @param owner the conversation whose context goes
     */
    default void release(Object owner) {
    }

    /**
     * Loads what the engine keeps between requests now instead of on the first request: the
     * pipeline calls it at {@code build()} when every engine is in process, so that no request
     * loads, starts or writes anything. Engines that keep nothing loaded do nothing.
     */
    default void preload() {
    }

    /** Frees what the engine holds; the pipeline calls it once no request runs. */
    @Override
    void close();
}

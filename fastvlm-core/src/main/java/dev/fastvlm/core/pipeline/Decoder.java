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
     * @param listener receives each piece of the answer
     * @return the answer and Genie's figures
     */
    DecoderOutput decode(RequestWork work, CombinedEmbeddings combined, GenerationOptions generation,
                         int maxNewTokens, TokenListener listener);

    /** Frees what the engine holds; the pipeline calls it once no request runs. */
    @Override
    void close();
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.image.PreprocessedImage;

/**
 * The vision-encoder stage: preprocessed pixels in, the image's dequantized rows out. One engine is
 * chosen at {@code build()} ({@link #forPipeline}) and serves every request of the instance.
 * Implementations are called with the device's lock held, one request at a time.
 */
interface VisionEncoder extends AutoCloseable {

    /**
     * Encodes one image.
     *
     * @param work the request's device, clock, directory and time limit
     * @param pixels the preprocessed image, in the encoder's input layout
     * @return the encoder's rows for the image
     */
    VisionEmbeddings encode(RequestWork work, PreprocessedImage pixels);

    /** Frees what the engine holds; the pipeline calls it once no request runs. */
    @Override
    void close();

    /** The engine for this bundle: {@code qnn-net-run} on the device, the one engine there is today. */
    static VisionEncoder forPipeline(ModelBundle bundle) {
        return new ProcessVisionEncoder(bundle);
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.VisionEngine;
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

    /**
     * The engine {@code engine} names for this bundle: {@code qnn-net-run} on the device, or the
     * QNN C API in this process on the libraries and binary synced into {@code deviceDir}.
     */
    static VisionEncoder forPipeline(VisionEngine engine, ModelBundle bundle, String deviceDir) {
        return switch (engine) {
            case PROCESS -> new ProcessVisionEncoder(bundle);
            case IN_PROCESS -> new InProcessVisionEncoder(bundle, deviceDir);
        };
    }
}

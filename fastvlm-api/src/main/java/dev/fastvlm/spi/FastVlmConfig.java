package dev.fastvlm.spi;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.ModelArtifacts;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.TextEmbeddingSource;
import dev.fastvlm.VisionEngine;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a {@link FastVlmProvider} needs to build an instance: the validated result of
 * {@link dev.fastvlm.FastVlm.Builder}.
 *
 * @param device         the transport to the device (owned by the instance: closed with it)
 * @param models         the model artifacts
 * @param runtime        the QAIRT SDK and device directory
 * @param generation     generation options
 * @param imageLayout    where the vision rows go
 * @param resizePolicy   how images are resized
 * @param requestTimeout limit for one whole request
 * @param textEmbedding  where the prompt's embedding rows come from
 * @param keepDeviceFiles whether request directories stay on the device for debugging
 * @param syncProgress   progress of the one-time model and SDK push
 * @param decoderEngine  whether Genie runs as a program per request or in this process
 * @param maxImageFileBytes largest image file read, in bytes (larger ones are refused before reading)
 * @param literalPrompts whether special-token text in a prompt is encoded as plain text
 * @param systemPrompt   the system turn of every request; empty for the chat template's own
 * @param visionEngine   whether the vision encoder runs as a program per request or in this process
 */
public record FastVlmConfig(Transport device, ModelArtifacts models, QairtRuntime runtime,
                            GenerationOptions generation, ImageLayout imageLayout, ResizePolicy resizePolicy,
                            Duration requestTimeout, TextEmbeddingSource textEmbedding,
                            boolean keepDeviceFiles, TransferListener syncProgress, DecoderEngine decoderEngine,
                            long maxImageFileBytes, boolean literalPrompts, Optional<String> systemPrompt,
                            VisionEngine visionEngine) {
    /**
     * Checks that every reference is present and the image limit positive. The builder has checked the rest.
     *
     * @param device the transport to the device (owned by the instance: closed with it)
     * @param models the model artifacts
     * @param runtime the QAIRT SDK and device directory
     * @param generation generation options
     * @param imageLayout where the vision rows go
     * @param resizePolicy how images are resized
     * @param requestTimeout limit for one whole request
     * @param textEmbedding where the prompt's embedding rows come from
     * @param keepDeviceFiles whether request directories stay on the device for debugging
     * @param syncProgress progress of the one-time model and SDK push
     * @param decoderEngine whether Genie runs as a program per request or in this process
     * @param maxImageFileBytes largest image file read, in bytes (larger ones are refused before reading)
     * @param literalPrompts whether special-token text in a prompt is encoded as plain text
     * @param systemPrompt the system turn of every request; empty for the chat template's own
     * @param visionEngine whether the vision encoder runs as a program per request or in this process
     * @throws NullPointerException when a field is null
     * @throws IllegalArgumentException when {@code maxImageFileBytes} is not positive
     */
    public FastVlmConfig {
        Objects.requireNonNull(device, "device");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(runtime, "runtime");
        Objects.requireNonNull(generation, "generation");
        Objects.requireNonNull(imageLayout, "imageLayout");
        Objects.requireNonNull(resizePolicy, "resizePolicy");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        Objects.requireNonNull(textEmbedding, "textEmbedding");
        Objects.requireNonNull(syncProgress, "syncProgress");
        Objects.requireNonNull(decoderEngine, "decoderEngine");
        Objects.requireNonNull(systemPrompt, "systemPrompt");
        Objects.requireNonNull(visionEngine, "visionEngine");
        if (maxImageFileBytes <= 0) {
            throw new IllegalArgumentException("maxImageFileBytes must be > 0, was " + maxImageFileBytes);
        }
    }
}

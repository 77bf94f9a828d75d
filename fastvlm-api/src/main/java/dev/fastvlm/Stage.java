package dev.fastvlm;

import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The named, timed stages of a request, in the order a request may run them. {@link #id()} is the
 * stable name used in logs, benchmark output and the command line's JSON ({@code "push-image"}).
 */
public enum Stage {
    /** Decoding and resizing the image on the host. */
    PREPROCESS("preprocess"),
    /** Rendering the chat template and tokenizing it on the host. */
    TOKENIZE("tokenize"),
    /** Pushing the model and SDK files the device lacks (once per instance). */
    SYNC("sync"),
    /** Removing request directories that earlier requests left on the device. */
    SWEEP("sweep"),
    /** Pushing the preprocessed pixels to the device. */
    PUSH_IMAGE("push-image"),
    /** Loading the vision encoder's context into this process (in-process engine, once per instance). */
    VISION_LOAD("vision-load"),
    /** Running the vision encoder. */
    VISION_ENCODER("vision-encoder"),
    /** Reading the vision encoder's output back from the device. */
    PULL_VISION("pull-vision"),
    /** Gathering the prompt's embedding rows from the host's table. */
    TEXT_EMBEDDINGS("text-embeddings"),
    /** Pushing the prompt's token ids to the device's text embedder. */
    PUSH_IDS("push-ids"),
    /** Running the device's text embedder. */
    TEXT_EMBEDDER("text-embedder"),
    /** Reading the text embedder's output back from the device. */
    PULL_EMBED("pull-embed"),
    /** Writing the Genie dialog config of a {@code genie-t2t-run} request. */
    GENIE_CONFIG("genie-config"),
    /** Pushing the combined embeddings and the Genie config for {@code genie-t2t-run}. */
    PUSH_EMBEDDINGS("push-embeddings"),
    /** Loading the decoder in this process (the first in-process request only). */
    DECODER_LOAD("decoder-load"),
    /** Running the decoder: prompt processing and generation. */
    DECODER("decoder"),
    /** Reading {@code genie-t2t-run}'s profile back from the device. */
    PROFILE("profile"),
    /** Removing a failed request's device directory. */
    CLEANUP("cleanup");

    private static final Map<String, Stage> BY_ID = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Stage::id, Function.identity()));

    private final String id;

    Stage(String id) {
        this.id = id;
    }

    /**
     * The stage's stable name, as logs and JSON output show it.
     *
     * @return the lower-case, hyphenated name, for example {@code vision-encoder}
     */
    public String id() {
        return id;
    }

    /**
     * The stage of a stable name.
     *
     * @param id a name {@link #id()} returns, for example {@code push-image}
     * @return the stage
     * @throws InvalidInputException when no stage has that name
     */
    public static Stage ofId(String id) {
        Stage stage = BY_ID.get(id);
        if (stage == null) {
            throw new InvalidInputException("no stage is named '" + id + "'; stages: "
                    + Arrays.stream(values()).map(Stage::id).collect(Collectors.joining(", ")));
        }
        return stage;
    }

    /** {@return the stable name, {@link #id()}} */
    @Override
    public String toString() {
        return id;
    }
}

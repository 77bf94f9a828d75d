package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifact;

import java.util.List;
import java.util.Map;

/**
 * FastVLM's file names, as the seed flow's export writes them: the one place they are spelled.
 * A bundle directory may instead carry a manifest ({@value #MANIFEST}) mapping artifact names to files.
 */
final class BundleLayout {

    /**
     * Optional manifest: a JSON object whose keys are {@link ModelArtifact} names, values relative
     * paths, or the versioned {@link dev.fastvlm.core.bundle.BundleManifest} (roles under {@code artifacts}).
     */
    static final String MANIFEST = dev.fastvlm.core.bundle.BundleManifest.FILE_NAME;
    /** HuggingFace model config: the decoder's geometry. */
    static final String MODEL_CONFIG = "config.json";

    /**
     * Candidate file names per artifact, most usual first. A context binary's info JSON has no name
     * of its own: it sits beside the binary ({@code x.bin} -> {@code x.json}).
     */
    static final Map<ModelArtifact, List<String>> DEFAULT_NAMES = Map.of(
            ModelArtifact.VISION_ENCODER, List.of("fastvlm_vision_encoder_int8_htp.bin", "fastvlm_vision_encoder_fp16_htp.bin"),
            ModelArtifact.TEXT_EMBEDDER, List.of("fastvlm_embed_tokens_fp16_htp.bin"),
            ModelArtifact.DECODER, List.of("fastvlm_model_z8.bin"),
            ModelArtifact.EMBEDDING_TABLE, List.of("LUT.bin"),
            ModelArtifact.TOKENIZER, List.of("tokenizer.json"));

    private BundleLayout() {
    }
}

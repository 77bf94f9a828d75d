package dev.fastvlm.bundle;

import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.bundle.safetensors.SafetensorsCheckpoint;
import dev.fastvlm.bundle.safetensors.TensorEntry;
import dev.fastvlm.core.bundle.BundleManifest;
import dev.fastvlm.core.tensor.RawTensors;
import dev.fastvlm.genie.config.DecoderGeometry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code fastvlm bundle from-hf}: the host-only half of a bundle, from a HuggingFace FastVLM
 * checkpoint folder. Reads the decoder geometry from {@code config.json} and refuses any that is
 * not a released FastVLM's (unless told otherwise), writes {@code LUT.bin} from
 * {@value #EMBEDDING_TENSOR} (checked to be {@code [vocab_size, hidden_size]}), copies the tokenizer
 * files and {@code config.json}, and writes the bundle's manifest. Every file is written under a
 * temporary name and moved into place.
 */
public final class CheckpointImport {
    /** The checkpoint's token embedding table. */
    public static final String EMBEDDING_TENSOR = "model.embed_tokens.weight";
    /** The bundle's embedding table file. */
    public static final String LUT = "LUT.bin";
    /** The files copied from the checkpoint as they are. */
    public static final List<String> COPIED = List.of("tokenizer.json", "tokenizer_config.json", "config.json");

    private final Path checkpoint;
    private final Path output;
    private final boolean allowUnlistedGeometry;
    private final Progress progress;

    private CheckpointImport(Builder b) {
        this.checkpoint = Objects.requireNonNull(b.checkpoint, "checkpoint");
        this.output = Objects.requireNonNull(b.output, "output");
        this.allowUnlistedGeometry = b.allowUnlistedGeometry;
        this.progress = b.progress;
    }

    /**
     * A new builder.
     *
     * @return a builder with no checkpoint, no output, released geometries only and no progress
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads the checkpoint and writes the bundle's host files and manifest.
     *
     * @return the manifest written
     * @throws ModelArtifactException naming every missing file, the geometry that does not match, or
     *                                the malformed safetensors file
     */
    public BundleManifest run() {
        if (!Files.isDirectory(checkpoint)) {
            throw new ModelArtifactException(checkpoint + ": not a folder (a HuggingFace checkpoint folder is needed)");
        }
        List<String> missing = COPIED.stream().filter(n -> !Files.isRegularFile(checkpoint.resolve(n))).toList();
        if (!missing.isEmpty()) {
            throw new ModelArtifactException(checkpoint + ": missing " + String.join(", ", missing));
        }
        DecoderGeometry geometry = DecoderGeometry.fromHuggingFaceConfig(checkpoint.resolve("config.json"));
        Optional<FastVlmVariant> variant = FastVlmVariant.matching(geometry);
        if (variant.isEmpty() && !allowUnlistedGeometry) {
            throw new ModelArtifactException(checkpoint.resolve("config.json") + ": hidden_size " + geometry.nEmbd()
                    + ", num_hidden_layers " + geometry.nLayer() + ", num_attention_heads " + geometry.nHeads()
                    + ", num_key_value_heads " + geometry.nKvHeads() + ", vocab_size " + geometry.nVocab()
                    + " is no released FastVLM: expected one of " + String.join("; ",
                    java.util.Arrays.stream(FastVlmVariant.values()).map(FastVlmVariant::describe).toList())
                    + " (allow other geometries explicitly for a model of your own)");
        }
        try (SafetensorsCheckpoint weights = SafetensorsCheckpoint.open(checkpoint)) {
            TensorEntry table = weights.tensor(EMBEDDING_TENSOR).orElseThrow(() -> new ModelArtifactException(
                    checkpoint + ": the checkpoint has no " + EMBEDDING_TENSOR));
            List<Long> expected = List.of((long) geometry.nVocab(), (long) geometry.nEmbd());
            if (!table.shape().equals(expected)) {
                throw new ModelArtifactException(table.file() + ": " + EMBEDDING_TENSOR + " has shape " + table.shape()
                        + ", config.json says [vocab_size, hidden_size] = " + expected);
            }
            EmbeddingTableWriter.write(weights.fileOf(table), table, output.resolve(LUT), progress);
        }
        for (String name : COPIED) {
            Path from = checkpoint.resolve(name);
            RawTensors.writeAtomically(output.resolve(name), out -> Files.copy(from, out));
        }
        BundleManifest manifest = BundleManifest.describe(output,
                Map.of(ModelArtifact.EMBEDDING_TABLE, LUT, ModelArtifact.TOKENIZER, "tokenizer.json"),
                new ArrayList<>(COPIED), geometryOf(geometry), Optional.empty(), Optional.empty());
        manifest.writeTo(output);
        return manifest;
    }

    static BundleManifest.Geometry geometryOf(DecoderGeometry g) {
        return new BundleManifest.Geometry(g.nEmbd(), g.nLayer(), g.nHeads(), g.nKvHeads(), g.nVocab());
    }

    /** Sets up a {@link CheckpointImport}. */
    public static final class Builder {
        private Path checkpoint;
        private Path output;
        private boolean allowUnlistedGeometry;
        private Progress progress = Progress.none();

        private Builder() {
        }

        /**
         * The HuggingFace checkpoint folder.
         *
         * @param folder holds config.json, the tokenizer files, and model.safetensors or its shards and index
         * @return this builder
         */
        public Builder checkpoint(Path folder) {
            this.checkpoint = folder;
            return this;
        }

        /**
         * The bundle folder to write (created when missing).
         *
         * @param folder the bundle folder
         * @return this builder
         */
        public Builder output(Path folder) {
            this.output = folder;
            return this;
        }

        /**
         * Whether a decoder geometry no released FastVLM has is accepted (a model of your own).
         *
         * @param allow true to accept any consistent geometry
         * @return this builder
         */
        public Builder allowUnlistedGeometry(boolean allow) {
            this.allowUnlistedGeometry = allow;
            return this;
        }

        /**
         * Where the LUT's progress goes.
         *
         * @param progress the listener
         * @return this builder
         */
        public Builder progress(Progress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /**
         * The import.
         *
         * @return a new import with these settings
         * @throws NullPointerException when the checkpoint or output is missing
         */
        public CheckpointImport build() {
            return new CheckpointImport(this);
        }
    }
}

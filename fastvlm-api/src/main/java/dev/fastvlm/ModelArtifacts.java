package dev.fastvlm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where the model files are. Either a directory, in which each artifact is found by FastVLM's usual
 * file name (or the directory's manifest), or explicit files, or both: an explicit file wins over the
 * directory. The files themselves are opened and checked when {@link FastVlm.Builder#build()} runs.
 *
 * <pre>{@code
 * ModelArtifacts.fromDirectory(Path.of("models/fastvlm-0.5b"));
 * ModelArtifacts.builder().directory(dir).file(ModelArtifact.EMBEDDING_TABLE, lut).build();
 * }</pre>
 *
 * @param directory the bundle directory, if any
 * @param files     explicit files by role (immutable)
 */
public record ModelArtifacts(Optional<Path> directory, Map<ModelArtifact, Path> files) {

    /**
     * Checks that there is a directory or at least one file, and copies the map.
     *
     * @param directory the bundle directory, if any
     * @param files explicit files by role (immutable)
     * @throws InvalidConfigurationException when both are missing or {@code directory} is not a directory
     */
    public ModelArtifacts {
        Checks.required(directory, "models.directory", "use Optional.empty() for none");
        Checks.required(files, "models.files", "use an empty map for none");
        Checks.check(directory.isPresent() || !files.isEmpty(), "models",
                "give a model directory or the model files");
        directory.ifPresent(dir -> Checks.check(Files.isDirectory(dir), "models.directory",
                "is not a directory: " + dir.toAbsolutePath()));
        files = Map.copyOf(files);
    }

    /**
     * All artifacts found by name in {@code directory}.
     *
     * @param directory a folder with the model files under FastVLM's usual names (or its manifest)
     * @return artifacts read from {@code directory} when the instance is built
     * @throws InvalidConfigurationException when {@code directory} is null or not a directory
     */
    public static ModelArtifacts fromDirectory(Path directory) {
        return builder().directory(directory).build();
    }

    /**
     * A builder for a directory, explicit files, or both.
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The explicit file for {@code artifact}, if one was given.
     *
     * @param artifact the file's role
     * @return the file given for {@code artifact}, or empty when it comes from the directory
     */
    public Optional<Path> file(ModelArtifact artifact) {
        return Optional.ofNullable(files.get(artifact));
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private Path directory;
        private final Map<ModelArtifact, Path> files = new EnumMap<>(ModelArtifact.class);

        private Builder() {
        }

        /**
         * The bundle directory, where artifacts without an explicit file are looked up.
         *
         * @param directory the folder; {@code null} for none
         * @return this builder
         */
        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        /**
         * An explicit file for one artifact, overriding the directory's.
         *
         * @param artifact the file's role
         * @param file the file's path on the host
         * @return this builder
         * @throws InvalidConfigurationException when either argument is null
         */
        public Builder file(ModelArtifact artifact, Path file) {
            Checks.required(artifact, "models.file", "name the artifact");
            Checks.required(file, "models." + artifact, "pass the file's path");
            files.put(artifact, file);
            return this;
        }

        /**
         * Validates and creates the artifacts.
         *
         * @return the artifacts
         * @throws InvalidConfigurationException when neither a directory nor a file was given, or the directory is
         *     not a directory
         */
        public ModelArtifacts build() {
            return new ModelArtifacts(Optional.ofNullable(directory), files);
        }
    }
}

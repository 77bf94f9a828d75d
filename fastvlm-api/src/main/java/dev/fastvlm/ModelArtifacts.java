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

    public ModelArtifacts {
        Checks.required(directory, "models.directory", "use Optional.empty() for none");
        Checks.required(files, "models.files", "use an empty map for none");
        Checks.check(directory.isPresent() || !files.isEmpty(), "models",
                "give a model directory or the model files");
        directory.ifPresent(dir -> Checks.check(Files.isDirectory(dir), "models.directory",
                "is not a directory: " + dir.toAbsolutePath()));
        files = Map.copyOf(files);
    }

    /** All artifacts found by name in {@code directory}. */
    public static ModelArtifacts fromDirectory(Path directory) {
        return builder().directory(directory).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The explicit file for {@code artifact}, if one was given. */
    public Optional<Path> file(ModelArtifact artifact) {
        return Optional.ofNullable(files.get(artifact));
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private Path directory;
        private final Map<ModelArtifact, Path> files = new EnumMap<>(ModelArtifact.class);

        private Builder() {
        }

        public Builder directory(Path directory) {
            this.directory = directory;
            return this;
        }

        public Builder file(ModelArtifact artifact, Path file) {
            Checks.required(artifact, "models.file", "name the artifact");
            Checks.required(file, "models." + artifact, "pass the file's path");
            files.put(artifact, file);
            return this;
        }

        public ModelArtifacts build() {
            return new ModelArtifacts(Optional.ofNullable(directory), files);
        }
    }
}

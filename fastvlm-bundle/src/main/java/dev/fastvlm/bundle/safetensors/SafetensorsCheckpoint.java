package dev.fastvlm.bundle.safetensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.ModelArtifactException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A HuggingFace checkpoint folder's weights: one {@value #SINGLE}, or shards listed by
 * {@value #INDEX} ({@code weight_map}: tensor name to shard file; {@code metadata.total_size}).
 * Every shard is opened and checked; the index must agree with the shards (each tensor in the
 * shard it names, no shard tensor missing from the index, no shard outside the folder, the total
 * size right).
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    /** The single-file checkpoint's name. */
    public static final String SINGLE = "model.safetensors";
    /** The sharded checkpoint's index. */
    public static final String INDEX = "model.safetensors.index.json";

    private final Path folder;
    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> owner;

    private SafetensorsCheckpoint(Path folder, List<SafetensorsFile> files, Map<String, SafetensorsFile> owner) {
        this.folder = folder;
        this.files = files;
        this.owner = owner;
    }

    /**
     * Opens the checkpoint in {@code folder}: the index when there is one, else {@value #SINGLE}.
     *
     * @param folder the checkpoint folder
     * @return the open checkpoint; close it when done
     * @throws ModelArtifactException naming the file and the problem when a file is missing or malformed
     */
    public static SafetensorsCheckpoint open(Path folder) {
        Path index = folder.resolve(INDEX);
        if (Files.isRegularFile(index)) {
            return openSharded(folder, index);
        }
        Path single = folder.resolve(SINGLE);
        if (!Files.isRegularFile(single)) {
            throw new ModelArtifactException(folder + ": no " + SINGLE + " and no " + INDEX
                    + ": not a HuggingFace safetensors checkpoint");
        }
        SafetensorsFile file = SafetensorsFile.open(single);
        return new SafetensorsCheckpoint(folder, List.of(file), ownerMap(List.of(file)));
    }

    private static SafetensorsCheckpoint openSharded(Path folder, Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (IOException e) {
            throw new ModelArtifactException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        JsonNode weightMap = root.path("weight_map");
        if (!weightMap.isObject() || weightMap.isEmpty()) {
            throw new ModelArtifactException(index + ": weight_map must be a non-empty object of tensor name to file");
        }
        Map<String, String> fileOf = new TreeMap<>();
        for (Map.Entry<String, JsonNode> e : weightMap.properties()) {
            String shard = e.getValue().asText();
            if (!e.getValue().isTextual() || shard.contains("/") || shard.contains("\\") || shard.startsWith(".")) {
                throw new ModelArtifactException(index + ": weight_map." + e.getKey()
                        + " must name a file in the checkpoint folder, was " + e.getValue());
            }
            fileOf.put(e.getKey(), shard);
        }
        List<SafetensorsFile> files = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
            for (String shard : new java.util.TreeSet<>(fileOf.values())) {
                Path path = folder.resolve(shard);
                if (!Files.isRegularFile(path)) {
                    throw new ModelArtifactException(index + " names shard " + shard + ", which is not in " + folder);
                }
                SafetensorsFile file = SafetensorsFile.open(path);
                files.add(file);
                shards.put(shard, file);
            }
            List<String> problems = new ArrayList<>();
            long total = 0;
            for (Map.Entry<String, String> e : fileOf.entrySet()) {
                if (shards.get(e.getValue()).tensor(e.getKey()).isEmpty()) {
                    problems.add("tensor " + e.getKey() + " is not in " + e.getValue() + ", where the index puts it");
                }
            }
            for (Map.Entry<String, SafetensorsFile> shard : shards.entrySet()) {
                for (TensorEntry t : shard.getValue().tensors().values()) {
                    total += t.byteSize();
                    if (!shard.getKey().equals(fileOf.get(t.name()))) {
                        problems.add("tensor " + t.name() + " of " + shard.getKey() + " is "
                                + (fileOf.containsKey(t.name()) ? "put in " + fileOf.get(t.name()) + " by the index"
                                : "missing from the index"));
                    }
                }
            }
            JsonNode totalSize = root.path("metadata").path("total_size");
            if (totalSize.isIntegralNumber() && totalSize.asLong() != total) {
                problems.add("metadata.total_size is " + totalSize.asLong() + ", the shards' tensors hold " + total
                        + " bytes");
            }
            if (!problems.isEmpty()) {
                throw new ModelArtifactException(index + " does not match its shards:\n  - "
                        + String.join("\n  - ", problems));
            }
            return new SafetensorsCheckpoint(folder, List.copyOf(files), ownerMap(files));
        } catch (RuntimeException e) {
            files.forEach(SafetensorsFile::close);
            throw e;
        }
    }

    private static Map<String, SafetensorsFile> ownerMap(List<SafetensorsFile> files) {
        Map<String, SafetensorsFile> owner = new LinkedHashMap<>();
        for (SafetensorsFile f : files) {
            for (String name : f.tensors().keySet()) {
                SafetensorsFile before = owner.put(name, f);
                if (before != null) {
                    throw new ModelArtifactException("tensor " + name + " is in both " + before.file() + " and "
                            + f.file());
                }
            }
        }
        return owner;
    }

    /** {@return the checkpoint folder} */
    public Path folder() {
        return folder;
    }

    /** {@return the safetensors files, one or the shards} */
    public List<SafetensorsFile> files() {
        return files;
    }

    /**
     * The tensor named {@code name}, with the file that holds it.
     *
     * @param name the tensor's name
     * @return its entry, or empty when no file has it
     */
    public Optional<TensorEntry> tensor(String name) {
        return Optional.ofNullable(owner.get(name)).flatMap(f -> f.tensor(name));
    }

    /**
     * The open file holding {@code tensor}.
     *
     * @param tensor a tensor of this checkpoint
     * @return its file
     * @throws IllegalArgumentException when the tensor is not this checkpoint's
     */
    public SafetensorsFile fileOf(TensorEntry tensor) {
        SafetensorsFile f = owner.get(tensor.name());
        if (f == null || !f.file().equals(tensor.file())) {
            throw new IllegalArgumentException(tensor.name() + " is not a tensor of " + folder);
        }
        return f;
    }

    /** Closes every file. */
    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}

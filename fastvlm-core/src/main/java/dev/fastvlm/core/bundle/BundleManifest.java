package dev.fastvlm.core.bundle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.tensor.RawTensors;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bundle's {@value #FILE_NAME} in its versioned form ({@code "format": "fastvlm-bundle/1"}):
 * which file plays which {@link ModelArtifact} role, every file's size and SHA-256, the decoder
 * geometry it was made for, and the chip and QAIRT SDK version its context binaries were built
 * with. (The older form, a flat object of role to file, carries none of that and is still read by
 * the pipeline for the roles alone.)
 *
 * @param artifacts  role to file, relative to the bundle
 * @param files      every file of the bundle with its size and digest
 * @param geometry   the decoder geometry the files were made for
 * @param chip       the chip the context binaries target, e.g. {@code SM8750}; empty before they are built
 * @param sdkVersion the QAIRT SDK version that built them; empty before they are built
 */
public record BundleManifest(Map<ModelArtifact, String> artifacts, List<FileEntry> files, Geometry geometry,
                             Optional<String> chip, Optional<String> sdkVersion) {
    /** The manifest's file name in a bundle. */
    public static final String FILE_NAME = "fastvlm-bundle.json";
    /** The value of the manifest's {@code format} field. */
    public static final String FORMAT = "fastvlm-bundle/1";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * One file of the bundle.
     *
     * @param path   relative to the bundle
     * @param size   bytes
     * @param sha256 lower-case hex SHA-256
     */
    public record FileEntry(String path, long size, String sha256) {
    }

    /**
     * The decoder geometry, as {@code config.json} names it.
     *
     * @param hiddenSize        {@code hidden_size}
     * @param layers            {@code num_hidden_layers}
     * @param heads             {@code num_attention_heads}
     * @param kvHeads           {@code num_key_value_heads}
     * @param vocabSize         {@code vocab_size}
     */
    public record Geometry(int hiddenSize, int layers, int heads, int kvHeads, int vocabSize) {
    }

    /**
     * Copies the collections.
     *
     * @param artifacts  role to file
     * @param files      every file with size and digest
     * @param geometry   the decoder geometry
     * @param chip       the target chip, if built
     * @param sdkVersion the SDK version, if built
     */
    public BundleManifest {
        artifacts = Map.copyOf(artifacts);
        files = List.copyOf(files);
    }

    /**
     * Describes the files of {@code bundle} as they are now (reading each to hash it).
     *
     * @param bundle     the bundle folder
     * @param artifacts  role to file, relative to the bundle
     * @param otherFiles further files of the bundle (info JSON, tokenizer config, config.json)
     * @param geometry   the decoder geometry
     * @param chip       the target chip, if built
     * @param sdkVersion the SDK version, if built
     * @return the manifest
     * @throws ModelArtifactException naming a file that cannot be read
     */
    public static BundleManifest describe(Path bundle, Map<ModelArtifact, String> artifacts, List<String> otherFiles,
                                          Geometry geometry, Optional<String> chip, Optional<String> sdkVersion) {
        List<String> names = new ArrayList<>();
        artifacts.values().stream().sorted().forEach(n -> {
            if (!names.contains(n)) {
                names.add(n);
            }
        });
        otherFiles.stream().filter(n -> !names.contains(n)).forEach(names::add);
        List<FileEntry> entries = new ArrayList<>();
        for (String name : names) {
            Path file = bundle.resolve(name);
            try {
                entries.add(new FileEntry(name, Files.size(file), sha256(file)));
            } catch (IOException e) {
                throw new ModelArtifactException(file + ": cannot be read: " + e, e);
            }
        }
        return new BundleManifest(artifacts, entries, geometry, chip, sdkVersion);
    }

    /**
     * The SHA-256 of a file, read in a stream.
     *
     * @param file the file
     * @return lower-case hex
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    /**
     * Whether {@code bundle} has a manifest in this versioned form (rather than none, or the older flat one).
     *
     * @param bundle the bundle folder
     * @return true when {@value #FILE_NAME} has {@code "format"}
     */
    public static boolean presentIn(Path bundle) {
        Path file = bundle.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return false;
        }
        try {
            return JSON.readTree(file.toFile()).has("format");
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Reads the manifest of {@code bundle}.
     *
     * @param bundle the bundle folder
     * @return the manifest
     * @throws ModelArtifactException naming the file and every field that is missing or malformed
     */
    public static BundleManifest read(Path bundle) {
        Path file = bundle.resolve(FILE_NAME);
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelArtifactException(file + ": cannot be read as JSON: " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        if (!FORMAT.equals(root.path("format").asText())) {
            problems.add("format must be \"" + FORMAT + "\", was " + root.get("format"));
        }
        Map<ModelArtifact, String> artifacts = new EnumMap<>(ModelArtifact.class);
        for (Map.Entry<String, JsonNode> e : root.path("artifacts").properties()) {
            try {
                artifacts.put(ModelArtifact.valueOf(e.getKey()), e.getValue().asText());
            } catch (IllegalArgumentException unknown) {
                problems.add("artifacts." + e.getKey() + " is not an artifact role");
            }
        }
        List<FileEntry> files = new ArrayList<>();
        for (JsonNode f : root.path("files")) {
            String sha = f.path("sha256").asText();
            if (!f.path("path").isTextual() || !f.path("size").canConvertToLong() || !f.path("size").isIntegralNumber()
                    || !sha.matches("[0-9a-f]{64}")) {
                problems.add("files entry " + f + " needs path, size and a 64-digit lower-case hex sha256");
            } else {
                files.add(new FileEntry(f.path("path").asText(), f.path("size").asLong(), sha));
            }
        }
        if (files.isEmpty()) {
            problems.add("files lists no file");
        }
        JsonNode g = root.path("geometry");
        int[] values = new int[5];
        String[] keys = {"hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads", "vocab_size"};
        for (int i = 0; i < keys.length; i++) {
            if (!g.path(keys[i]).canConvertToInt() || !g.path(keys[i]).isIntegralNumber()) {
                problems.add("geometry." + keys[i] + " must be an integer, was " + g.get(keys[i]));
            }
            values[i] = g.path(keys[i]).asInt();
        }
        if (!problems.isEmpty()) {
            throw new ModelArtifactException(file + ": not a valid bundle manifest:\n  - "
                    + String.join("\n  - ", problems));
        }
        return new BundleManifest(artifacts, files, new Geometry(values[0], values[1], values[2], values[3], values[4]),
                text(root, "chip"), text(root, "sdk_version"));
    }

    private static Optional<String> text(JsonNode root, String field) {
        return root.path(field).isTextual() ? Optional.of(root.path(field).asText()) : Optional.empty();
    }

    /**
     * Writes this manifest into {@code bundle} (atomically).
     *
     * @param bundle the bundle folder
     * @return the manifest file
     */
    public Path writeTo(Path bundle) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", FORMAT);
        chip.ifPresent(c -> root.put("chip", c));
        sdkVersion.ifPresent(v -> root.put("sdk_version", v));
        ObjectNode g = root.putObject("geometry");
        g.put("hidden_size", geometry.hiddenSize());
        g.put("num_hidden_layers", geometry.layers());
        g.put("num_attention_heads", geometry.heads());
        g.put("num_key_value_heads", geometry.kvHeads());
        g.put("vocab_size", geometry.vocabSize());
        ObjectNode a = root.putObject("artifacts");
        new EnumMap<>(artifacts).forEach((role, name) -> a.put(role.name(), name));
        ArrayNode list = root.putArray("files");
        for (FileEntry f : files) {
            list.addObject().put("path", f.path()).put("size", f.size()).put("sha256", f.sha256());
        }
        Path file = bundle.resolve(FILE_NAME);
        RawTensors.writeAtomically(file, out -> out.write(JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8)));
        return file;
    }
}

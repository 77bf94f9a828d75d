package dev.fastvlm.core.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.ModelArtifacts;
import dev.fastvlm.core.bundle.BundleManifest;
import dev.fastvlm.core.bundle.BundleVerifier;
import dev.fastvlm.core.device.HostDigests;
import dev.fastvlm.genie.config.DecoderGeometry;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A FastVLM model bundle, resolved and checked: where each artifact is, and the geometry read from
 * their metadata (the vision encoder's context-info JSON, the text embedder's, the decoder's
 * HuggingFace {@code config.json}), never from literals. Every problem is reported at once.
 */
final class ModelBundle {

    private final Map<ModelArtifact, Path> files;
    private final Optional<Path> textEmbedderInfo;
    private final QnnGraph vision;
    private final TensorSpec imageInput;
    private final TensorSpec visionOutput;
    private final Optional<QnnGraph> textEmbedder;
    private final DecoderGeometry geometry;
    private final int contextSize;

    private ModelBundle(Map<ModelArtifact, Path> files, Optional<Path> textEmbedderInfo, QnnGraph vision,
                        Optional<QnnGraph> textEmbedder, DecoderGeometry geometry, int contextSize) {
        this.files = files;
        this.textEmbedderInfo = textEmbedderInfo;
        this.vision = vision;
        this.imageInput = vision.onlyInput();
        this.visionOutput = vision.onlyOutput();
        this.textEmbedder = textEmbedder;
        this.geometry = geometry;
        this.contextSize = contextSize;
    }

    /**
     * The bundle in {@code directory}, every artifact found by its usual name or the manifest.
     *
     * @param directory a model folder holding the usual files or a manifest
     * @return the checked bundle
     * @throws ModelArtifactException listing everything missing or inconsistent
     */
    public static ModelBundle fromDirectory(Path directory) {
        return resolve(ModelArtifacts.fromDirectory(directory), Optional.empty());
    }

    /**
     * Finds every artifact and reads its metadata. A context binary without its info JSON is
     * described by the SDK's {@code qnn-context-binary-utility} when {@code sdkRoot} has it.
     *
     * @param artifacts the model files, by directory and explicit files
     * @param sdkRoot the QAIRT SDK's root, if any
     * @return the checked bundle
     * @throws ModelArtifactException listing everything missing or inconsistent
     */
    public static ModelBundle resolve(ModelArtifacts artifacts, Optional<Path> sdkRoot) {
        List<String> problems = new ArrayList<>();
        Optional<ContextInfoTool> infoTool = sdkRoot.flatMap(ContextInfoTool::in);
        Map<ModelArtifact, Path> files = locate(artifacts, infoTool, problems);
        artifacts.directory().filter(BundleManifest::presentIn).ifPresent(d -> problems.addAll(
                BundleVerifier.withDigests(HostDigests.cached()).problems(d)));
        Optional<Path> directory = artifacts.directory();
        Path modelConfig = directory.map(d -> d.resolve(BundleLayout.MODEL_CONFIG))
                .or(() -> Optional.ofNullable(files.get(ModelArtifact.TOKENIZER))
                        .map(t -> t.resolveSibling(BundleLayout.MODEL_CONFIG)))
                .orElse(null);
        if (!files.containsKey(ModelArtifact.TEXT_EMBEDDER) && !files.containsKey(ModelArtifact.EMBEDDING_TABLE)) {
            problems.add("neither a text embedder nor an embedding table (LUT.bin): one is needed for the prompt");
        }
        if (!files.containsKey(ModelArtifact.EMBEDDING_TABLE)) {
            problems.add("no embedding table (LUT.bin): genie-t2t-run needs it to embed generated tokens");
        }
        if (modelConfig == null) {
            problems.add("no " + BundleLayout.MODEL_CONFIG + " for the decoder's geometry");
        }
        DecoderGeometry geometry = modelConfig == null ? null
                : attempt(problems, () -> DecoderGeometry.fromHuggingFaceConfig(modelConfig));
        QnnGraph vision = Optional.ofNullable(files.get(ModelArtifact.VISION_ENCODER_INFO))
                .map(info -> attempt(problems, () -> ContextBinaryInfo.read(info).singleGraph()))
                .orElse(null);
        Optional<Path> embedderInfo = Optional.empty();
        if (files.containsKey(ModelArtifact.TEXT_EMBEDDER)) {
            try {
                embedderInfo = infoOf(files.get(ModelArtifact.TEXT_EMBEDDER), infoTool);
            } catch (ModelArtifactException e) {
                problems.add(e.getMessage());
            }
        }
        Optional<QnnGraph> embedder = embedderInfo
                .map(info -> attempt(problems, () -> ContextBinaryInfo.read(info).singleGraph()));
        if (!problems.isEmpty()) {
            throw failure(artifacts, problems);
        }
        TensorSpec imageInput = vision.onlyInput();
        TensorSpec visionOutput = vision.onlyOutput();
        checkVision(imageInput, visionOutput, geometry, problems);
        int contextSize = embedder.map(g -> g.onlyInput().innermost()).orElse(0);
        if (contextSize == 0) {
            problems.add("cannot tell the decoder's context size: give the text embedder with its context-info JSON ("
                    + "its input length is the context size)");
        }
        embedder.ifPresent(g -> {
            if (g.onlyOutput().innermost() != geometry.nEmbd()) {
                problems.add("text embedder rows are " + g.onlyOutput().innermost() + " wide, the decoder's are "
                        + geometry.nEmbd());
            }
        });
        if (!problems.isEmpty()) {
            throw failure(artifacts, problems);
        }
        return new ModelBundle(Map.copyOf(files), embedderInfo, vision, embedder, geometry, contextSize);
    }

    private static void checkVision(TensorSpec input, TensorSpec output, DecoderGeometry geometry,
                                    List<String> problems) {
        List<Integer> dims = input.dimensions();
        boolean hwc = dims.size() == 4 && dims.get(3) == 3 && dims.get(1).equals(dims.get(2));
        boolean nchw = dims.size() == 4 && dims.get(1) == 3 && dims.get(2).equals(dims.get(3));
        if (input.dataType() == QnnDataType.FLOAT_32 ? !nchw : !hwc || input.dataType().bytes() != 1) {
            problems.add("vision encoder input " + input.name() + " is " + input.dataType().qnnName() + " " + dims
                    + ": expected uint8 [1, S, S, 3] or float32 [1, 3, S, S]");
        }
        if (output.dimensions().size() != 3 || output.innermost() != geometry.nEmbd()) {
            problems.add("vision encoder output " + output.name() + " is " + output.dimensions()
                    + ": expected [1, tokens, " + geometry.nEmbd() + "] to match the decoder's width");
        }
    }

    private static Map<ModelArtifact, Path> locate(ModelArtifacts artifacts, Optional<ContextInfoTool> infoTool,
                                                   List<String> problems) {
        Map<ModelArtifact, Path> found = new EnumMap<>(ModelArtifact.class);
        Map<ModelArtifact, Path> manifest = artifacts.directory().map(d -> readManifest(d, problems)).orElse(Map.of());
        for (ModelArtifact artifact : ModelArtifact.values()) {
            Optional<Path> file = artifacts.file(artifact).or(() -> Optional.ofNullable(manifest.get(artifact)));
            if (file.isEmpty() && artifact == ModelArtifact.VISION_ENCODER_INFO) {
                Path encoder = found.get(ModelArtifact.VISION_ENCODER);
                if (encoder == null) {
                    continue;
                }
                try {
                    file = infoOf(encoder, infoTool);
                } catch (ModelArtifactException e) {
                    problems.add(e.getMessage());
                    continue;
                }
                if (file.isEmpty()) {
                    problems.add(artifact + ": not found: no " + infoFileOf(encoder).getFileName()
                            + " beside the encoder, and no SDK tool " + ContextInfoTool.RELATIVE_PATH + " to write it");
                    continue;
                }
            }
            if (file.isEmpty() && artifacts.directory().isPresent()) {
                file = BundleLayout.DEFAULT_NAMES.get(artifact).stream().map(artifacts.directory().get()::resolve)
                        .filter(Files::isRegularFile).findFirst();
            }
            if (file.isPresent() && !Files.isRegularFile(file.get())) {
                problems.add(artifact + ": " + file.get() + " is not a readable file");
            } else if (file.isPresent()) {
                found.put(artifact, file.get());
            } else if (artifact != ModelArtifact.TEXT_EMBEDDER && artifact != ModelArtifact.EMBEDDING_TABLE) {
                problems.add(artifact + ": not found" + artifacts.directory()
                        .map(d -> " (looked for " + String.join(", ", BundleLayout.DEFAULT_NAMES.get(artifact)) + ")")
                        .orElse(""));
            }
        }
        return found;
    }

    private static Map<ModelArtifact, Path> readManifest(Path directory, List<String> problems) {
        Path manifest = directory.resolve(BundleLayout.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            return Map.of();
        }
        Map<ModelArtifact, Path> files = new EnumMap<>(ModelArtifact.class);
        try {
            JsonNode root = new ObjectMapper().readTree(manifest.toFile());
            // the versioned manifest keeps the roles under "artifacts"; the older one is only that map
            JsonNode roles = root.has("format") ? root.path("artifacts") : root;
            for (Map.Entry<String, JsonNode> entry : roles.properties()) {
                ModelArtifact artifact;
                try {
                    artifact = ModelArtifact.valueOf(entry.getKey());
                } catch (IllegalArgumentException e) {
                    problems.add(manifest + ": unknown artifact " + entry.getKey());
                    continue;
                }
                insideBundle(directory, manifest, entry.getKey(), entry.getValue().asText(), problems)
                        .ifPresent(file -> files.put(artifact, file));
            }
        } catch (IOException e) {
            problems.add(manifest + ": not valid JSON: " + e.getMessage());
        }
        return files;
    }

    /**
     * The file a manifest field names, if it is a relative path that stays inside the bundle, also
     * once symbolic links are followed: a manifest is input and must not make the bundle read, or
     * push to a device, files from elsewhere on the host.
     */
    private static Optional<Path> insideBundle(Path directory, Path manifest, String field, String name,
                                               List<String> problems) {
        Path named;
        try {
            named = Path.of(name);
        } catch (InvalidPathException e) {
            problems.add(manifest + ": " + field + " is not a file name: " + name);
            return Optional.empty();
        }
        if (name.isEmpty() || named.isAbsolute() || !named.normalize().equals(named)
                || named.startsWith("..")) {
            problems.add(manifest + ": " + field + " must name a file inside the bundle (a relative path without"
                    + " \"..\"), was " + name);
            return Optional.empty();
        }
        Path file = directory.resolve(named);
        if (Files.exists(file)) {
            try {
                if (!file.toRealPath().startsWith(directory.toRealPath())) {
                    problems.add(manifest + ": " + field + " (" + name + ") leads outside the bundle through a"
                            + " symbolic link, to " + file.toRealPath());
                    return Optional.empty();
                }
            } catch (IOException e) {
                problems.add(manifest + ": " + field + " (" + name + ") cannot be resolved: " + e.getMessage());
                return Optional.empty();
            }
        }
        return Optional.of(file);
    }

    /** The info JSON beside {@code contextBinary}, or one the SDK's tool writes for it. */
    private static Optional<Path> infoOf(Path contextBinary, Optional<ContextInfoTool> infoTool) {
        Path beside = infoFileOf(contextBinary);
        if (Files.isRegularFile(beside)) {
            return Optional.of(beside);
        }
        return infoTool.map(tool -> tool.describe(contextBinary));
    }

    /** The context-info JSON written next to a context binary ({@code x.bin} -> {@code x.json}). */
    static Path infoFileOf(Path contextBinary) {
        String name = contextBinary.getFileName().toString();
        return contextBinary.resolveSibling(name.replaceFirst("\\.bin$", "") + ".json");
    }

    /** The value {@code read} gives, or null with its failure added to {@code problems}. */
    private static <T> T attempt(List<String> problems, Supplier<T> read) {
        try {
            return read.get();
        } catch (RuntimeException e) {
            problems.add(e.getMessage());
            return null;
        }
    }

    private static ModelArtifactException failure(ModelArtifacts artifacts, List<String> problems) {
        return new ModelArtifactException("model bundle" + artifacts.directory().map(d -> " " + d).orElse("")
                + " is not usable:\n  - " + String.join("\n  - ", problems));
    }

    /**
     * The file of {@code artifact}, if the bundle has one.
     *
     * @param artifact the artifact's role
     * @return the file, or empty when the bundle lacks that optional artifact
     */
    public Optional<Path> file(ModelArtifact artifact) {
        return Optional.ofNullable(files.get(artifact));
    }

    Path require(ModelArtifact artifact) {
        return file(artifact).orElseThrow(() -> new ModelArtifactException("the bundle has no " + artifact));
    }

    /** {@return the vision encoder's graph (name and tensors) as its context-info JSON describes it} */
    public QnnGraph visionGraph() {
        return vision;
    }

    /** {@return the vision encoder's input: its dtype says the pixel layout, its dimensions the image size} */
    public TensorSpec imageInput() {
        return imageInput;
    }

    /** {@return the vision encoder's output: [1, vision tokens, width], with its quantization} */
    public TensorSpec visionOutput() {
        return visionOutput;
    }

    /** {@return the text embedder's graph, when the bundle has it with its metadata} */
    public Optional<QnnGraph> textEmbedder() {
        return textEmbedder;
    }

    Optional<Path> textEmbedderInfo() {
        return textEmbedderInfo;
    }

    /**
     * The decoder's shape and special tokens, from its {@code config.json}.
     *
     * @return the geometry
     */
    public DecoderGeometry geometry() {
        return geometry;
    }

    /** {@return tokens the decoder's context holds} */
    public int contextSize() {
        return contextSize;
    }

    /** {@return side of the square image the vision encoder takes} */
    public int imageSize() {
        return imageInput.innermost() == 3 ? imageInput.dimensions().get(1) : imageInput.innermost();
    }

    /**
     * The number of rows the vision encoder's output holds for one image.
     *
     * @return the vision tokens, the second dimension of {@link #visionOutput()}
     */
    public int visionTokens() {
        return visionOutput.dimensions().get(1);
    }

    /** Files that go to the device once: everything but the host-only metadata. */
    List<Path> deviceFiles() {
        List<Path> device = new ArrayList<>();
        for (ModelArtifact artifact : List.of(ModelArtifact.VISION_ENCODER, ModelArtifact.TEXT_EMBEDDER,
                ModelArtifact.DECODER, ModelArtifact.EMBEDDING_TABLE, ModelArtifact.TOKENIZER)) {
            file(artifact).ifPresent(device::add);
        }
        return device;
    }
}

package dev.fastvlm.bundle;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.core.bundle.BundleManifest;
import dev.fastvlm.core.bundle.BundleVerifier;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.OutputLayout;
import dev.fastvlm.core.tensor.RawTensors;
import dev.fastvlm.genie.config.HtpBackendExtensions;
import dev.fastvlm.genie.soc.Soc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * {@code fastvlm bundle build}: the device half of a bundle, made with the QAIRT SDK's host tools
 * (docs/qualcomm-formats.md, section 11) in a bundle that {@link CheckpointImport} wrote. For the
 * vision encoder, and the text embedder when given: {@code qnn-onnx-converter} (INT8 from real
 * calibration images, or FP16), {@code qnn-model-lib-generator}, {@code qnn-context-binary-generator}
 * with an HTP config for the chip, {@code qnn-context-binary-utility} for the context info. For the
 * decoder: {@code qnn-genai-transformer-composer} on the checkpoint, or a decoder file given as is.
 * Tools run in a work folder inside the bundle that is removed afterwards, whatever happens; results
 * are moved into place only when every step succeeded; the manifest is then rewritten with the new
 * files, the chip and the SDK's version, and the whole bundle verified.
 */
public final class BundleBuild {
    /** The vision export's input and output (the seed's export, docs/qualcomm-formats.md section 11). */
    static final String PIXELS = "pixel_values";
    static final String IMAGE_FEATURES = "image_features";
    /** The text embedder export's output. */
    static final String EMBEDDINGS = "inputs_embeds";
    /** The decoder quantizations {@code qnn-genai-transformer-composer --quantize} takes. */
    public static final List<String> QUANTIZATIONS = List.of("Z4", "Z4_FP16", "Z8", "Q4");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path bundle;
    private final Path sdk;
    private final Soc soc;
    private final Path visionExport;
    private final Optional<Path> calibrationImages;
    private final int calibrationLimit;
    private final ResizePolicy resizePolicy;
    private final Optional<Path> embedderExport;
    private final Optional<Path> decoderFile;
    private final Optional<Path> composeFrom;
    private final Optional<String> quantization;
    private final Duration toolTimeout;
    private final Consumer<String> commandLog;
    private final Progress progress;

    private BundleBuild(Builder b) {
        this.bundle = Objects.requireNonNull(b.bundle, "bundle");
        this.sdk = Objects.requireNonNull(b.sdk, "sdk");
        this.soc = Objects.requireNonNull(b.soc, "chip");
        this.visionExport = Objects.requireNonNull(b.visionExport, "vision encoder export");
        this.calibrationImages = Optional.ofNullable(b.calibrationImages);
        this.calibrationLimit = b.calibrationLimit;
        this.resizePolicy = b.resizePolicy;
        this.embedderExport = Optional.ofNullable(b.embedderExport);
        this.decoderFile = Optional.ofNullable(b.decoderFile);
        this.composeFrom = Optional.ofNullable(b.composeFrom);
        this.quantization = Optional.ofNullable(b.quantization);
        this.toolTimeout = b.toolTimeout;
        this.commandLog = b.commandLog;
        this.progress = b.progress;
        if (decoderFile.isPresent() == composeFrom.isPresent()) {
            throw new IllegalArgumentException("give either a decoder file or a checkpoint to compose the decoder from");
        }
        if (quantization.isPresent() && (composeFrom.isEmpty() || !QUANTIZATIONS.contains(quantization.get()))) {
            throw new IllegalArgumentException("a decoder quantization (" + String.join(", ", QUANTIZATIONS)
                    + ") applies to a composed decoder only, was " + quantization.get());
        }
    }

    /**
     * A new builder.
     *
     * @return a builder with nothing set, tool time limit one hour, 64 calibration images at most
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Runs the tool chain and updates the bundle.
     *
     * @return the bundle's new manifest, verified
     * @throws ModelArtifactException naming the missing inputs or tools, or the step that failed with the tool's
     *                                own message, or every problem verification found
     */
    public BundleManifest run() {
        if (!Files.isRegularFile(bundle.resolve(BundleManifest.FILE_NAME))) {
            throw new ModelArtifactException(bundle + " has no " + BundleManifest.FILE_NAME
                    + ": write the bundle's host files with from-hf (CheckpointImport) first");
        }
        BundleManifest before = BundleManifest.read(bundle);
        checkInputs();
        String sdkVersion = sdkVersion(sdk);
        Path work = bundle.resolve(".fastvlm-build-" + UUID.randomUUID());
        try {
            Files.createDirectories(work);
            HostTool tools = new HostTool(sdk, Files.createDirectories(work.resolve("logs")), toolTimeout, commandLog);
            Map<ModelArtifact, String> artifacts = new EnumMap<>(ModelArtifact.class);
            artifacts.putAll(before.artifacts());
            List<String> others = new ArrayList<>(before.files().stream().map(BundleManifest.FileEntry::path)
                    .filter(p -> !before.artifacts().containsValue(p)).toList());
            Map<Path, String> results = new java.util.LinkedHashMap<>();
            Path htpConfig = writeContextConfig(work);

            boolean int8 = calibrationImages.isPresent();
            String visionName = "fastvlm_vision_encoder_" + (int8 ? "int8" : "fp16") + "_htp";
            List<String> convert = new ArrayList<>(List.of("--input_network", visionExport.toAbsolutePath().toString(),
                    "--input_dim", PIXELS, "1,3," + ImagePreprocessor.DEFAULT_SIZE + "," + ImagePreprocessor.DEFAULT_SIZE,
                    "--input_layout", PIXELS, "NCHW"));
            if (int8) {
                ImagePreprocessor preprocessor = ImagePreprocessor.builder().layout(OutputLayout.FLOAT32_NCHW)
                        .resizePolicy(resizePolicy).build();
                CalibrationSet calibration = CalibrationSet.write(calibrationImages.get(),
                        Files.createDirectories(work.resolve("calibration")), preprocessor, calibrationLimit, progress);
                convert.addAll(List.of("--input_list", calibration.inputList().toString(),
                        "--quantization_overrides", writePixelEncoding(work).toString(),
                        "--act_bitwidth", "8", "--weights_bitwidth", "8", "--bias_bitwidth", "8",
                        "--act_quantizer", "tf", "--float_bitwidth", "32"));
            } else {
                convert.addAll(List.of("--float_bitwidth", "16"));
            }
            convert.addAll(List.of("--out_node", IMAGE_FEATURES));
            Path visionBin = contextBinary(tools, work, "vision encoder", "fastvlm_vision_encoder", visionName, convert,
                    htpConfig);
            results.put(visionBin, visionName + ".bin");
            results.put(info(visionBin), visionName + ".json");
            artifacts.put(ModelArtifact.VISION_ENCODER, visionName + ".bin");
            artifacts.put(ModelArtifact.VISION_ENCODER_INFO, visionName + ".json");

            if (embedderExport.isPresent()) {
                String name = "fastvlm_embed_tokens_fp16_htp";
                Path bin = contextBinary(tools, work, "text embedder", "fastvlm_embed_tokens", name,
                        new ArrayList<>(List.of("--input_network", embedderExport.get().toAbsolutePath().toString(),
                                "--float_bitwidth", "16", "--out_node", EMBEDDINGS)), htpConfig);
                results.put(bin, name + ".bin");
                results.put(info(bin), name + ".json");
                artifacts.put(ModelArtifact.TEXT_EMBEDDER, name + ".bin");
                others.add(name + ".json");
            }

            String decoderName;
            Path decoder;
            if (composeFrom.isPresent()) {
                decoderName = "fastvlm_model_" + quantization.map(q -> q.toLowerCase(Locale.ROOT)).orElse("fp32") + ".bin";
                decoder = work.resolve(decoderName);
                List<String> args = new ArrayList<>(List.of("--model", composeFrom.get().toAbsolutePath().toString(),
                        "--outfile", decoder.toString()));
                quantization.ifPresent(q -> args.addAll(List.of("--quantize", q)));
                progress.update("decoder", 0, 1);
                tools.run("compose the CPU decoder", "qnn-genai-transformer-composer", args, List.of(decoder));
                progress.update("decoder", 1, 1);
            } else {
                decoder = decoderFile.get();
                decoderName = decoder.getFileName().toString();
            }
            results.put(decoder, decoderName);
            artifacts.put(ModelArtifact.DECODER, decoderName);

            for (Map.Entry<Path, String> r : results.entrySet()) {
                Path target = bundle.resolve(r.getValue());
                if (r.getKey().startsWith(work)) {
                    Files.move(r.getKey(), target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } else if (!r.getKey().toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
                    Path from = r.getKey();
                    RawTensors.writeAtomically(target, out -> Files.copy(from, out));
                }
            }
            BundleManifest manifest = BundleManifest.describe(bundle, artifacts, others, before.geometry(),
                    Optional.of(soc.chip()), Optional.of(sdkVersion));
            manifest.writeTo(bundle);
            return BundleVerifier.hashing().verify(bundle);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot build the bundle in " + bundle + ": " + e, e);
        } finally {
            deleteTree(work);
        }
    }

    /** Converter, model library, context binary, context info: the binary in {@code work/out}. */
    private Path contextBinary(HostTool tools, Path work, String what, String libName, String binaryName,
                               List<String> convertArgs, Path contextConfig) throws IOException {
        Path dir = Files.createDirectories(work.resolve(libName));
        Path cpp = dir.resolve(libName + ".cpp");
        convertArgs.addAll(List.of("-o", cpp.toString()));
        progress.update(what, 0, 4);
        tools.run("convert the " + what, "qnn-onnx-converter", convertArgs, List.of(cpp, dir.resolve(libName + ".bin")));
        progress.update(what, 1, 4);
        Path libs = dir.resolve("lib");
        Path lib = libs.resolve("x86_64-linux-clang").resolve("lib" + libName + ".so");
        tools.run("build the " + what + "'s model library", "qnn-model-lib-generator", List.of("-c", cpp.toString(),
                "-b", dir.resolve(libName + ".bin").toString(), "-t", "x86_64-linux-clang", "-l", libName,
                "-o", libs.toString()), List.of(lib));
        progress.update(what, 2, 4);
        Path out = Files.createDirectories(work.resolve("out"));
        Path bin = out.resolve(binaryName + ".bin");
        tools.run("generate the " + what + "'s context binary for " + soc.chip(), "qnn-context-binary-generator",
                List.of("--backend", sdk.resolve("lib/x86_64-linux-clang/libQnnHtp.so").toAbsolutePath().toString(),
                        "--model", lib.toString(), "--config_file", contextConfig.toString(),
                        "--binary_file", binaryName, "--output_dir", out.toString()), List.of(bin));
        progress.update(what, 3, 4);
        tools.run("describe the " + what + "'s context binary", "qnn-context-binary-utility",
                List.of("--context_binary", bin.toString(), "--json_file", info(bin).toString()), List.of(info(bin)));
        progress.update(what, 4, 4);
        return bin;
    }

    private static Path info(Path binary) {
        return binary.resolveSibling(binary.getFileName().toString().replaceFirst("\\.bin$", ".json"));
    }

    /**
     * The context-binary generator's config: the HTP backend extension library of the SDK and an
     * HTP config with the chip's device settings ({@link HtpBackendExtensions#forSoc}).
     */
    private Path writeContextConfig(Path work) throws IOException {
        ObjectNode htp = JSON.createObjectNode();
        htp.set("devices", HtpBackendExtensions.forSoc(soc).json().get("devices").deepCopy());
        Path htpFile = work.resolve("htp_config.json");
        Files.writeString(htpFile, JSON.writeValueAsString(htp), StandardCharsets.UTF_8);
        ObjectNode config = JSON.createObjectNode();
        ObjectNode ext = config.putObject("backend_extensions");
        ext.put("shared_library_path", sdk.resolve("lib/x86_64-linux-clang/libQnnHtpNetRunExtensions.so")
                .toAbsolutePath().toString());
        ext.put("config_file_path", htpFile.toAbsolutePath().toString());
        Path file = work.resolve("context_config.json");
        Files.writeString(file, JSON.writeValueAsString(config), StandardCharsets.UTF_8);
        return file;
    }

    /**
     * Pins the uint8 pixel input to [0, 1] (scale 1/255, offset 0): the host sends raw pixel bytes,
     * so the input's encoding must not depend on the calibration images' darkest and brightest pixels.
     */
    private static Path writePixelEncoding(Path work) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("activation_encodings").putArray(PIXELS).addObject().put("bitwidth", 8).put("min", 0.0)
                .put("max", 1.0).put("is_symmetric", "False");
        root.putObject("param_encodings");
        Path file = work.resolve("pixel_encoding.json");
        Files.writeString(file, JSON.writeValueAsString(root), StandardCharsets.UTF_8);
        return file;
    }

    private void checkInputs() {
        List<String> problems = new ArrayList<>();
        if (!Files.isDirectory(sdk)) {
            problems.add("QAIRT SDK folder " + sdk + " does not exist");
        } else {
            List<String> tools = new ArrayList<>(List.of("qnn-onnx-converter", "qnn-model-lib-generator",
                    "qnn-context-binary-generator", "qnn-context-binary-utility"));
            if (composeFrom.isPresent()) {
                tools.add("qnn-genai-transformer-composer");
            }
            for (String tool : tools) {
                Path program = sdk.resolve("bin/x86_64-linux-clang").resolve(tool);
                if (!Files.isExecutable(program)) {
                    problems.add("the SDK has no host tool " + sdk.relativize(program));
                }
            }
            for (String lib : List.of("libQnnHtp.so", "libQnnHtpNetRunExtensions.so")) {
                if (!Files.isRegularFile(sdk.resolve("lib/x86_64-linux-clang").resolve(lib))) {
                    problems.add("the SDK has no host library lib/x86_64-linux-clang/" + lib);
                }
            }
        }
        for (Optional<Path> file : List.of(Optional.of(visionExport), embedderExport, decoderFile)) {
            file.filter(f -> !Files.isRegularFile(f)).ifPresent(f -> problems.add(f + " does not exist"));
        }
        calibrationImages.filter(d -> !Files.isDirectory(d))
                .ifPresent(d -> problems.add("calibration image folder " + d + " does not exist"));
        composeFrom.filter(d -> !Files.isDirectory(d))
                .ifPresent(d -> problems.add("checkpoint folder " + d + " does not exist"));
        if (!problems.isEmpty()) {
            throw new ModelArtifactException("cannot build the bundle in " + bundle + ":\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /**
     * The SDK's version, from the {@code version:} line of its {@code sdk.yaml}.
     *
     * @param sdk the QAIRT SDK folder
     * @return the version, e.g. {@code 2.42.0.251225}
     * @throws ModelArtifactException when the SDK has no such file or line
     */
    static String sdkVersion(Path sdk) {
        Path yaml = sdk.resolve("sdk.yaml");
        try {
            for (String line : Files.readAllLines(yaml, StandardCharsets.UTF_8)) {
                if (line.startsWith("version:")) {
                    String version = line.substring("version:".length()).strip();
                    if (!version.isEmpty()) {
                        return version;
                    }
                }
            }
        } catch (IOException e) {
            throw new ModelArtifactException(yaml + ": cannot be read (" + e.getMessage() + "): is " + sdk
                    + " a QAIRT SDK root?", e);
        }
        throw new ModelArtifactException(yaml + " has no \"version:\" line");
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            // the folder's name says what it is; a later run does not read it
        }
    }

    /** Sets up a {@link BundleBuild}. */
    public static final class Builder {
        private Path bundle;
        private Path sdk;
        private Soc soc;
        private Path visionExport;
        private Path calibrationImages;
        private int calibrationLimit = 64;
        private ResizePolicy resizePolicy = ResizePolicy.STRETCH;
        private Path embedderExport;
        private Path decoderFile;
        private Path composeFrom;
        private String quantization;
        private Duration toolTimeout = Duration.ofHours(1);
        private Consumer<String> commandLog = line -> { };
        private Progress progress = Progress.none();

        private Builder() {
        }

        /**
         * The bundle folder, as {@link CheckpointImport} left it (with its manifest).
         *
         * @param folder the bundle
         * @return this builder
         */
        public Builder bundle(Path folder) {
            this.bundle = folder;
            return this;
        }

        /**
         * The QAIRT SDK's root folder on this host.
         *
         * @param folder holds {@code bin/x86_64-linux-clang/} and {@code lib/x86_64-linux-clang/}
         * @return this builder
         */
        public Builder sdk(Path folder) {
            this.sdk = folder;
            return this;
        }

        /**
         * The chip the context binaries are for.
         *
         * @param soc the chip
         * @return this builder
         */
        public Builder chip(Soc soc) {
            this.soc = soc;
            return this;
        }

        /**
         * The vision encoder and projector's ONNX export ({@code pixel_values} to {@code image_features}).
         *
         * @param onnx the export
         * @return this builder
         */
        public Builder visionExport(Path onnx) {
            this.visionExport = onnx;
            return this;
        }

        /**
         * Quantize the vision encoder to INT8, calibrated on these images (else it is built FP16).
         *
         * @param folder a folder of images like the ones the model will see
         * @param limit  most images to use, at least 1
         * @param resize how a non-square image becomes square, as at run time
         * @return this builder
         */
        public Builder calibrationImages(Path folder, int limit, ResizePolicy resize) {
            this.calibrationImages = folder;
            this.calibrationLimit = limit;
            this.resizePolicy = Objects.requireNonNull(resize, "resize");
            return this;
        }

        /**
         * Also build the text embedder from its ONNX export ({@code input_ids} to {@code inputs_embeds}); its
         * input length becomes the decoder's context size.
         *
         * @param onnx the export
         * @return this builder
         */
        public Builder embedderExport(Path onnx) {
            this.embedderExport = onnx;
            return this;
        }

        /**
         * Use this decoder file as it is (a composer output or an HTP context binary).
         *
         * @param file the decoder
         * @return this builder
         */
        public Builder decoder(Path file) {
            this.decoderFile = file;
            return this;
        }

        /**
         * Compose the CPU decoder from the checkpoint with {@code qnn-genai-transformer-composer}.
         *
         * @param checkpoint   the HuggingFace checkpoint folder
         * @param quantization {@code Z4}, {@code Z4_FP16}, {@code Z8} or {@code Q4}; null for FP32
         * @return this builder
         */
        public Builder composeDecoder(Path checkpoint, String quantization) {
            this.composeFrom = checkpoint;
            this.quantization = quantization;
            return this;
        }

        /**
         * The longest a single tool may run.
         *
         * @param timeout the limit
         * @return this builder
         */
        public Builder toolTimeout(Duration timeout) {
            this.toolTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Where each step's command line goes (besides the log).
         *
         * @param log told each command line before it runs
         * @return this builder
         */
        public Builder commandLog(Consumer<String> log) {
            this.commandLog = Objects.requireNonNull(log, "log");
            return this;
        }

        /**
         * Where progress goes.
         *
         * @param progress the listener
         * @return this builder
         */
        public Builder progress(Progress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /**
         * The build.
         *
         * @return a new build with these settings
         * @throws NullPointerException when the bundle, SDK, chip or vision export is missing
         * @throws IllegalArgumentException when neither or both of a decoder file and a checkpoint are given
         */
        public BundleBuild build() {
            return new BundleBuild(this);
        }
    }
}

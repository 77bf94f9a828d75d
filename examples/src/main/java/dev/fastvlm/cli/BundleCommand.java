package dev.fastvlm.cli;

import dev.fastvlm.ResizePolicy;
import dev.fastvlm.bundle.BundleBuild;
import dev.fastvlm.bundle.CheckpointImport;
import dev.fastvlm.bundle.Progress;
import dev.fastvlm.core.bundle.BundleManifest;
import dev.fastvlm.core.bundle.BundleVerifier;
import dev.fastvlm.emulator.model.EmulatedCheckpoint;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.genie.soc.Soc;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code fastvlm bundle}: make a device bundle from a HuggingFace checkpoint ({@code from-hf}, on
 * the host alone), build its context binaries with Qualcomm's host tools ({@code build}), and check
 * it ({@code verify}).
 */
@Command(name = "bundle", mixinStandardHelpOptions = true,
        description = "Make a FastVLM device bundle: from-hf, then build, then verify.",
        subcommands = {BundleCommand.FromHf.class, BundleCommand.Build.class, BundleCommand.Verify.class,
                BundleCommand.EmulatedInputs.class})
final class BundleCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand (from-hf, build or verify)");
    }

    /** Progress bars on a terminal, one per step; nothing when the output is not one. */
    static Progress progress(PrintWriter terminal) {
        if (System.console() == null) {
            return Progress.none();
        }
        Map<String, ProgressBar> bars = new HashMap<>();
        return (step, done, total) -> bars.computeIfAbsent(step, s -> new ProgressBar(terminal, s,
                s.equals(CheckpointImport.LUT) ? "rows" : "steps")).onProgress(done, total);
    }

    static String summary(Path bundle, BundleManifest m) {
        long bytes = m.files().stream().mapToLong(BundleManifest.FileEntry::size).sum();
        return bundle + ": " + m.files().size() + " files, " + bytes + " bytes; hidden_size " + m.geometry().hiddenSize()
                + ", vocab_size " + m.geometry().vocabSize() + m.chip().map(c -> "; built for " + c).orElse("")
                + m.sdkVersion().map(v -> " with QAIRT " + v).orElse("");
    }

    /** {@code fastvlm bundle from-hf CHECKPOINT --out DIR}. */
    @Command(name = "from-hf", mixinStandardHelpOptions = true,
            description = "Write LUT.bin, the tokenizer files, config.json and the manifest from a HuggingFace"
                    + " FastVLM checkpoint (host only, no Qualcomm software).")
    static final class FromHf implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "CHECKPOINT",
                description = "The checkpoint folder: config.json, tokenizer.json, tokenizer_config.json and"
                        + " model.safetensors (or shards with model.safetensors.index.json).")
        Path checkpoint;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The bundle folder to write.")
        Path out;

        @Option(names = "--allow-unlisted-geometry",
                description = "Accept a decoder geometry no released FastVLM (0.5B, 1.5B, 7B) has: a model of your own.")
        boolean allowUnlistedGeometry;

        @Override
        public Integer call() {
            BundleManifest manifest = CheckpointImport.builder().checkpoint(checkpoint).output(out)
                    .allowUnlistedGeometry(allowUnlistedGeometry)
                    .progress(progress(spec.commandLine().getErr())).build().run();
            spec.commandLine().getOut().println("wrote " + summary(out, manifest));
            return 0;
        }
    }

    /** {@code fastvlm bundle build DIR --sdk SDK --chip CHIP --vision-onnx F ...}. */
    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Build the context binaries (and the CPU decoder) with the QAIRT SDK's host tools, then"
                    + " rewrite and verify the manifest.")
    static final class Build implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "The bundle folder that from-hf wrote.")
        Path bundle;

        @Option(names = "--sdk", required = true, paramLabel = "DIR", description = "The QAIRT SDK folder on this host.")
        Path sdk;

        @Option(names = "--chip", required = true, paramLabel = "CHIP",
                description = "The target chip: SM8550, SM8650, SM8750 or SC8380XP (or its marketing name).")
        String chip;

        @Option(names = "--vision-onnx", required = true, paramLabel = "FILE",
                description = "The vision encoder + projector ONNX export (pixel_values -> image_features).")
        Path visionOnnx;

        @Option(names = "--calibration-images", paramLabel = "DIR",
                description = "Build an INT8 vision encoder calibrated on these images (else FP16).")
        Path calibrationImages;

        @Option(names = "--calibration-limit", paramLabel = "N", defaultValue = "64",
                description = "Most calibration images to use (default: ${DEFAULT-VALUE}).")
        int calibrationLimit;

        @Option(names = "--resize", paramLabel = "stretch|pad|center-crop", converter = OptionValues.Resize.class,
                description = "How a calibration image becomes square, as describe's --resize. Default: stretch.")
        ResizePolicy resize = ResizePolicy.STRETCH;

        @Option(names = "--embedder-onnx", paramLabel = "FILE",
                description = "Also build the text embedder (input_ids -> inputs_embeds); its input length is the"
                        + " context size.")
        Path embedderOnnx;

        @CommandLine.ArgGroup(exclusive = true, multiplicity = "1")
        Decoder decoder;

        static final class Decoder {
            @Option(names = "--decoder", paramLabel = "FILE", description = "Use this decoder file as it is.")
            Path file;

            @Option(names = "--compose-decoder", paramLabel = "CHECKPOINT",
                    description = "Compose the CPU decoder from the checkpoint with qnn-genai-transformer-composer.")
            Path checkpoint;
        }

        @Option(names = "--quantize", paramLabel = "Z4|Z4_FP16|Z8|Q4",
                description = "The composed decoder's weight quantization (default: none, FP32).")
        String quantize;

        @Option(names = "--tool-timeout", paramLabel = "SECONDS", defaultValue = "3600",
                description = "Longest one tool may run (default: ${DEFAULT-VALUE}).")
        long toolTimeoutSeconds;

        @Override
        public Integer call() {
            if (quantize != null && (decoder.checkpoint == null || !BundleBuild.QUANTIZATIONS.contains(quantize))) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--quantize takes "
                        + String.join(", ", BundleBuild.QUANTIZATIONS) + " with --compose-decoder");
            }
            if (calibrationLimit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--calibration-limit must be 1 or more");
            }
            Soc soc;
            try {
                soc = Soc.fromChip(chip);
            } catch (RuntimeException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--chip: " + e.getMessage());
            }
            PrintWriter err = spec.commandLine().getErr();
            BundleBuild.Builder build = BundleBuild.builder().bundle(bundle).sdk(sdk).chip(soc).visionExport(visionOnnx)
                    .toolTimeout(Duration.ofSeconds(toolTimeoutSeconds))
                    .commandLog(line -> {
                        err.println("$ " + line);
                        err.flush();
                    })
                    .progress(progress(err));
            if (calibrationImages != null) {
                build.calibrationImages(calibrationImages, calibrationLimit, resize);
            }
            if (embedderOnnx != null) {
                build.embedderExport(embedderOnnx);
            }
            if (decoder.file != null) {
                build.decoder(decoder.file);
            } else {
                build.composeDecoder(decoder.checkpoint, quantize);
            }
            BundleManifest manifest = build.build().run();
            spec.commandLine().getOut().println("built and verified " + summary(bundle, manifest));
            return 0;
        }
    }

    /** {@code fastvlm bundle verify DIR}. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = "Check every file of a bundle against its manifest (size, SHA-256) and the files against"
                    + " each other; list every problem.")
    static final class Verify implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "The bundle folder.")
        Path bundle;

        @Override
        public Integer call() {
            BundleManifest manifest = BundleVerifier.hashing().verify(bundle);
            spec.commandLine().getOut().println("verified " + summary(bundle, manifest));
            return 0;
        }
    }

    /** {@code fastvlm bundle emulated-inputs --out DIR}: something to try the chain on without Qualcomm's files. */
    @Command(name = "emulated-inputs", mixinStandardHelpOptions = true,
            description = "Write an emulated FastVLM checkpoint, ONNX exports and QAIRT SDK to try from-hf and build"
                    + " on (their bundle runs on the built-in emulator only).")
    static final class EmulatedInputs implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "The folder to write.")
        Path out;

        @Option(names = "--width", paramLabel = "N", defaultValue = "" + DescribeCommand.EMULATED_WIDTH,
                description = "The emulated decoder's hidden size (default: ${DEFAULT-VALUE}; 896 is FastVLM-0.5B's).")
        int width;

        @Override
        public Integer call() throws Exception {
            if (width < 8) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--width must be 8 or more");
            }
            Path checkpoint = EmulatedCheckpoint.write(out.resolve("checkpoint"), width);
            Path sdkDir = EmulatedSdk.write(out.resolve("sdk"));
            PrintWriter o = spec.commandLine().getOut();
            o.println("wrote an emulated checkpoint (with its ONNX exports) in " + checkpoint + " and an emulated SDK in "
                    + sdkDir);
            o.println("next: fastvlm bundle from-hf " + checkpoint + " --out BUNDLE"
                    + (width == 896 ? "" : " --allow-unlisted-geometry"));
            o.println("      fastvlm bundle build BUNDLE --sdk " + sdkDir + " --chip SM8750 --vision-onnx "
                    + checkpoint.resolve(EmulatedCheckpoint.VISION_EXPORT) + " --calibration-images IMAGES"
                    + " --embedder-onnx " + checkpoint.resolve(EmulatedCheckpoint.EMBEDDER_EXPORT)
                    + " --compose-decoder " + checkpoint + " --quantize Z8");
            o.println("      fastvlm describe --emulator --model-dir BUNDLE --sdk " + sdkDir + " --image IMG --prompt TEXT");
            return 0;
        }
    }
}

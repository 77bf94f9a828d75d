package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.DecoderBackend;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.StageTiming;
import dev.fastvlm.Stats;
import dev.fastvlm.TokenListener;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import org.apache.commons.io.file.PathUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * What {@code fastvlm describe} and {@code fastvlm chat} share: the device, model and generation
 * flags, building the instance on a phone or on the built-in emulator (with an emulated bundle,
 * saying so first), and the figures' text and JSON. A subcommand says what to do with the instance.
 */
abstract class SessionCommand implements Callable<Integer> {

    /** Width of the emulated bundle: FastVLM's 896 would make a 545 MB table for a demo answer. */
    static final int EMULATED_WIDTH = 112;
    /** How often, and how far apart, a shutdown tries to remove the temporary folder. */
    private static final int SHUTDOWN_ATTEMPTS = 50;
    private static final Duration SHUTDOWN_RECHECK = Duration.ofMillis(100);

    private static final GenerationOptions DEFAULTS = GenerationOptions.defaults();
    /** The library's names of generation settings, as the flags that set them. */
    private static final Map<String, String> FLAGS = Map.of("generation.maxNewTokens", "--max-new-tokens",
            "generation.temperature", "--temperature", "generation.topK", "--top-k", "generation.topP", "--top-p");

    @Spec
    CommandSpec spec;

    @Option(names = "--system", paramLabel = "TEXT",
            description = "System prompt, e.g. \"Answer in one sentence.\" (default: the model's own, "
                    + "\"You are a helpful assistant.\").")
    String system;

    @Option(names = "--device", paramLabel = "SERIAL",
            description = "Run on the phone with this ADB serial, through the local adb server (needs --model-dir"
                    + " and --sdk).")
    String device;

    @Option(names = "--emulator", description = "Run on the built-in emulated Snapdragon (the default when neither"
            + " --device nor --model-dir is given).")
    boolean emulator;

    @Option(names = "--model-dir", paramLabel = "DIR", description = "The FastVLM model bundle folder.")
    Path modelDir;

    @Option(names = "--sdk", paramLabel = "DIR", description = "The QAIRT SDK folder.")
    Path sdk;

    @Option(names = "--backend", paramLabel = "cpu|htp", converter = OptionValues.Backend.class,
            description = "Where the language model runs: cpu (the phone's CPU) or htp (its NPU). Default: cpu.")
    DecoderBackend backend = DecoderBackend.CPU;

    @Option(names = "--resize", paramLabel = "stretch|pad|center-crop", converter = OptionValues.Resize.class,
            description = "How a non-square image becomes square: stretch it, pad it with black, or crop its"
                    + " centre. Default: stretch.")
    ResizePolicy resize = ResizePolicy.STRETCH;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Most tokens to generate (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = DEFAULTS.maxNewTokens();

    @Option(names = "--temperature", paramLabel = "T",
            description = "Sampling temperature, 0 or more: lower is more predictable (default: ${DEFAULT-VALUE}).")
    double temperature = DEFAULTS.temperature();

    @Option(names = "--top-k", paramLabel = "K",
            description = "Sample among the K most likely tokens, 1 or more (default: ${DEFAULT-VALUE}).")
    int topK = DEFAULTS.topK();

    @Option(names = "--top-p", paramLabel = "P",
            description = "Sample among the most likely tokens that together reach probability P, in (0, 1]"
                    + " (default: ${DEFAULT-VALUE}).")
    double topP = DEFAULTS.topP();

    @Option(names = "--seed", paramLabel = "N",
            description = "Random seed of the sampler: the same seed gives the same answer (default: ${DEFAULT-VALUE}).")
    long seed = DEFAULTS.seed();

    @Option(names = "--greedy", description = "Always take the most likely token (no sampling; ignores --temperature,"
            + " --top-k and --top-p).")
    boolean greedy;

    @Option(names = "--layout", paramLabel = "prepend|placeholder",
            description = "Where the image goes in the prompt: before the text (prepend, the default) or where the"
                    + " prompt says <image> (placeholder).")
    String layout = "prepend";

    @Option(names = "--json", description = "Print one JSON object per answer instead of streaming text.")
    boolean json;

    /**
     * What the flags ask of the library, checked: each bad value is a usage error named by its flag.
     *
     * @param generation the sampling and length flags
     * @param system     {@code --system}, empty for the model's own system prompt
     * @param backend    {@code --backend}
     * @param resize     {@code --resize}
     * @param layout     {@code --layout}
     */
    record Settings(GenerationOptions generation, Optional<String> system, DecoderBackend backend,
                    ResizePolicy resize, ImageLayout layout) {

        /** Sets everything but the device, the models and the SDK on {@code builder}. */
        FastVlm.Builder applyTo(FastVlm.Builder builder) {
            return builder.generation(generation).systemPrompt(system.orElse(null)).resizePolicy(resize)
                    .imageLayout(layout);
        }

        /** The runtime of the SDK in {@code sdkDirectory} with the chosen backend. */
        QairtRuntime runtime(Path sdkDirectory) {
            return QairtRuntime.builder().sdkDirectory(sdkDirectory).decoderBackend(backend).build();
        }
    }

    Settings settings() {
        ImageLayout imageLayout;
        try {
            imageLayout = ImageLayouts.parse(layout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            GenerationOptions generation = GenerationOptions.builder().maxNewTokens(maxNewTokens)
                    .temperature(temperature).topK(topK).topP(topP).seed(seed).greedy(greedy).build();
            return new Settings(generation, Optional.ofNullable(system), backend, resize, imageLayout);
        } catch (InvalidConfigurationException e) {
            String problem = e.getMessage().substring(Math.min(e.getMessage().length(), e.field().length() + 2));
            throw new ParameterException(spec.commandLine(), FLAGS.getOrDefault(e.field(), e.field()) + ": " + problem);
        }
    }

    @Override
    public Integer call() throws IOException {
        Settings settings = settings();
        if (device != null && emulator) {
            throw new ParameterException(spec.commandLine(), "give either --device or --emulator, not both");
        }
        boolean builtIn = emulator || (device == null && modelDir == null);
        PrintWriter out = spec.commandLine().getOut();
        if (builtIn) {
            String notice = "Running on the built-in emulated Snapdragon with an emulated model bundle:"
                    + " the answer says what reached the emulated decoder, it is not FastVLM's.";
            if (json) {
                spec.commandLine().getErr().println(notice);
            } else {
                out.println(notice);
            }
            return onEmulator(settings, out);
        }
        List<String> missing = missingPhoneOptions(modelDir, sdk);
        if (!missing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "a phone needs " + String.join(" and ", missing)
                    + "; or use --emulator");
        }
        Transport transport = device == null ? AdbTransport.connect() : AdbTransport.connect(device);
        return run(transport, modelDir, sdk, settings,
                () -> "1".equals(DeviceScripts.output(transport, "getprop ro.fastvlm.emulated").strip()), out);
    }

    /**
     * What running on a phone still needs, every missing option at once (for {@code describe},
     * {@code chat} and {@code serve}).
     *
     * @return the missing options with what each names; empty when both are given
     */
    static List<String> missingPhoneOptions(Path modelDir, Path sdk) {
        List<String> missing = new ArrayList<>();
        if (modelDir == null) {
            missing.add("--model-dir DIR (the FastVLM model bundle)");
        }
        if (sdk == null) {
            missing.add("--sdk DIR (the QAIRT SDK)");
        }
        return missing;
    }

    private int onEmulator(Settings settings, PrintWriter out) throws IOException {
        Path work = Files.createTempDirectory("fastvlm-" + spec.name() + "-");
        // TERM, INT and HUP end the JVM through its shutdown hooks, past this method's finally.
        Thread removeOnSignal = new Thread(() -> deleteQuietly(work), "fastvlm-cli-cleanup");
        Runtime.getRuntime().addShutdownHook(removeOnSignal);
        // The built-in device lets in a key of this run only (created by the transport on first use).
        Path adbKey = work.resolve("adbkey");
        EmulatorOptions options = EmulatorOptions.builder().authorizedKeys(work.resolve("adbkey.pub")).build();
        try (DeviceEmulator device = DeviceEmulator.start(options)) {
            Path bundle = modelDir != null ? modelDir
                    : EmulatedBundle.write(work.resolve("bundle"), EMULATED_WIDTH, EmulatedBundle.VisionPrecision.INT8);
            Path emulatedSdk = sdk != null ? sdk : EmulatedSdk.write(work.resolve("sdk"));
            return run(AdbTransport.direct("127.0.0.1", device.port(), adbKey), bundle, emulatedSdk, settings,
                    () -> true, out);
        } finally {
            Runtime.getRuntime().removeShutdownHook(removeOnSignal);
            PathUtils.deleteDirectory(work);
        }
    }

    /**
     * Removes {@code work} during shutdown. The command's thread runs on while hooks run and may be
     * writing into it (the emulated bundle creates its folders again), so removal is repeated until
     * the folder stays gone.
     */
    private static void deleteQuietly(Path work) {
        for (int attempt = 0; attempt < SHUTDOWN_ATTEMPTS; attempt++) {
            try {
                if (Files.exists(work)) {
                    PathUtils.deleteDirectory(work);
                }
                Thread.sleep(SHUTDOWN_RECHECK.toMillis());
                if (Files.notExists(work)) {
                    return;
                }
            } catch (IOException | RuntimeException e) {
                // A file removed or added under the walk: the next attempt sees the folder as it is now.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        System.err.println("could not remove " + work);
    }

    private int run(Transport transport, Path bundle, Path sdkDir, Settings settings, BooleanSupplier emulated,
                    PrintWriter out) {
        try (FastVlm vlm = settings.applyTo(FastVlm.builder())
                .device(transport)
                .models(bundle)
                .runtime(settings.runtime(sdkDir))
                .syncProgress(System.console() != null ? new ProgressBar(spec.commandLine().getErr(), "sync")
                        : TransferListener.NONE)
                .build()) {
            return use(vlm, new AskedOnce(emulated), out);
        }
    }

    /** A device fact asked for when first needed (only JSON output says it) and then remembered. */
    private static final class AskedOnce implements BooleanSupplier {
        private final BooleanSupplier question;
        private Boolean answer;

        AskedOnce(BooleanSupplier question) {
            this.question = question;
        }

        @Override
        public boolean getAsBoolean() {
            if (answer == null) {
                answer = question.getAsBoolean();
            }
            return answer;
        }
    }

    /**
     * The subcommand's work on the built instance.
     *
     * @param emulated whether the device is the emulator (said in the JSON output; asked of the
     *                 device when first needed, an adb round trip that text output does without)
     * @return the exit code
     */
    abstract int use(FastVlm vlm, BooleanSupplier emulated, PrintWriter out);

    /** Streams the answer's pieces to {@code out}, unless the output is JSON. */
    TokenListener streamTo(PrintWriter out) {
        return json ? TokenListener.NONE : piece -> {
            out.print(piece);
            out.flush();
        };
    }

    static String figures(Stats s) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%n%d prompt tokens, %d generated; first token after %d ms, %.1f tokens/s;"
                        + " decoder init %d ms%n", s.promptTokens(), s.generatedTokens(), s.timeToFirstToken().toMillis(),
                s.tokensPerSecond(), s.initTime().toMillis()));
        text.append("stages:");
        for (StageTiming stage : s.stages()) {
            text.append(String.format(Locale.ROOT, " %s %d ms,", stage.stage().id(), stage.elapsed().toMillis()));
        }
        text.setLength(text.length() - 1);
        text.append(String.format(Locale.ROOT, "%nbytes: %d model pushed, %d request pushed, %d pulled",
                s.modelBytesPushed(), s.requestBytesPushed(), s.bytesPulled()));
        return text.toString();
    }

    static String toJson(Description d, boolean emulated) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        Stats s = d.stats();
        root.put("text", d.text());
        ObjectNode stats = root.putObject("stats");
        stats.put("promptTokens", s.promptTokens());
        stats.put("generatedTokens", s.generatedTokens());
        stats.put("timeToFirstTokenMs", s.timeToFirstToken().toNanos() / 1e6);
        stats.put("tokensPerSecond", s.tokensPerSecond());
        stats.put("initTimeMs", s.initTime().toNanos() / 1e6);
        var stages = root.putArray("stages");
        for (StageTiming stage : s.stages()) {
            stages.addObject().put("name", stage.stage().id()).put("ms", stage.elapsed().toNanos() / 1e6);
        }
        ObjectNode bytes = root.putObject("bytes");
        bytes.put("modelPushed", s.modelBytesPushed());
        bytes.put("requestPushed", s.requestBytesPushed());
        bytes.put("pulled", s.bytesPulled());
        root.put("emulated", emulated);
        return root.toString();
    }
}

package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.StageTiming;
import dev.fastvlm.Stats;
import dev.fastvlm.TokenListener;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.core.device.DeviceScripts;
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
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code fastvlm describe}: the main job. Streams the answer, then the figures. With no device and
 * no model folder it runs on the built-in emulator with an emulated bundle, and says so first.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe an image with FastVLM on a phone's NPU (or on the built-in emulator).")
final class DescribeCommand implements Callable<Integer> {

    /** Width of the emulated bundle: FastVLM's 896 would make a 545 MB table for a demo answer. */
    static final int EMULATED_WIDTH = 112;
    /** How often, and how far apart, a shutdown tries to remove the temporary folder. */
    private static final int SHUTDOWN_ATTEMPTS = 50;
    private static final Duration SHUTDOWN_RECHECK = Duration.ofMillis(100);

    @Spec
    CommandSpec spec;

    @Option(names = "--image", required = true, description = "The image file (JPEG, PNG, BMP, GIF, TIFF, WebP).")
    Path image;

    @Option(names = "--prompt", required = true, description = "What to ask about the image.")
    String prompt;

    @Option(names = "--device", description = "ADB serial of the phone, through the local adb server.")
    String device;

    @Option(names = "--emulator", description = "Run on the built-in emulated Snapdragon.")
    boolean emulator;

    @Option(names = "--model-dir", description = "The FastVLM model bundle.")
    Path modelDir;

    @Option(names = "--sdk", description = "The QAIRT SDK folder.")
    Path sdk;

    @Option(names = "--max-new-tokens", description = "Upper bound on generated tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = GenerationOptions.defaults().maxNewTokens();

    @Option(names = "--layout", description = "Where the image goes: prepend (default) or placeholder.")
    String layout = "prepend";

    @Option(names = "--json", description = "Print one JSON object instead of streaming text.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        ImageLayout imageLayout = ImageLayouts.parse(layout);
        if (device != null && emulator) {
            throw new InvalidConfigurationException("--device", "give either --device or --emulator, not both");
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
            return onEmulator(imageLayout, out);
        }
        if (modelDir == null || sdk == null) {
            throw new InvalidConfigurationException(modelDir == null ? "--model-dir" : "--sdk",
                    "is required for a real device (or use --emulator)");
        }
        Transport transport = device == null ? AdbTransport.connect() : AdbTransport.connect(device);
        boolean emulated = "1".equals(DeviceScripts.output(transport, "getprop ro.fastvlm.emulated").strip());
        return run(transport, modelDir, sdk, imageLayout, emulated, out);
    }

    private int onEmulator(ImageLayout imageLayout, PrintWriter out) throws IOException {
        Path work = Files.createTempDirectory("fastvlm-describe-");
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
            return run(AdbTransport.direct("127.0.0.1", device.port(), adbKey), bundle, emulatedSdk, imageLayout, true,
                    out);
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

    private int run(Transport transport, Path bundle, Path sdkDir, ImageLayout imageLayout, boolean emulated,
                    PrintWriter out) {
        try (FastVlm vlm = FastVlm.builder()
                .device(transport)
                .models(bundle)
                .runtime(QairtRuntime.of(sdkDir))
                .imageLayout(imageLayout)
                .generation(GenerationOptions.builder().maxNewTokens(maxNewTokens).build())
                .syncProgress(System.console() != null ? new ProgressBar(spec.commandLine().getErr(), "sync")
                        : TransferListener.NONE)
                .build()) {
            TokenListener stream = json ? TokenListener.NONE : piece -> {
                out.print(piece);
                out.flush();
            };
            Description d = vlm.describe(image, prompt, stream);
            if (json) {
                out.println(toJson(d, emulated));
            } else {
                out.println();
                out.println(figures(d.stats()));
            }
            out.flush();
            return 0;
        }
    }

    static String figures(Stats s) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%n%d prompt tokens, %d generated; first token after %d ms, %.1f tokens/s;"
                        + " decoder init %d ms%n", s.promptTokens(), s.generatedTokens(), s.timeToFirstToken().toMillis(),
                s.tokensPerSecond(), s.initTime().toMillis()));
        text.append("stages:");
        for (StageTiming stage : s.stages()) {
            text.append(String.format(Locale.ROOT, " %s %d ms,", stage.stage(), stage.elapsed().toMillis()));
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
            stages.addObject().put("name", stage.stage()).put("ms", stage.elapsed().toNanos() / 1e6);
        }
        ObjectNode bytes = root.putObject("bytes");
        bytes.put("modelPushed", s.modelBytesPushed());
        bytes.put("requestPushed", s.requestBytesPushed());
        bytes.put("pulled", s.bytesPulled());
        root.put("emulated", emulated);
        return root.toString();
    }
}

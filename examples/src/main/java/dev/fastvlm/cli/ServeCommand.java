package dev.fastvlm.cli;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.EmulatedDevice;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.server.FastVlmServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fastvlm serve}: an OpenAI-compatible chat completions server over one warm instance per
 * phone (or over built-in emulated phones), until interrupted.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve OpenAI-compatible chat completions (POST /v1/chat/completions, plain or streamed) over"
                + " one or more phones, until interrupted; also GET /v1/models, /health and /metrics.",
                "Without --device and --model-dir it serves the built-in emulated Snapdragon (--emulators of them)."})
final class ServeCommand implements Callable<Integer> {

    /** The environment variable the API key may come from instead of --api-key (which shows in `ps`). */
    static final String API_KEY_VARIABLE = "FASTVLM_API_KEY";
    /** Vision rows kept per device, so that every turn of a conversation about one image encodes it once. */
    private static final int VISION_CACHE_ENTRIES = 16;

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; any other needs an API key).")
    String host = "127.0.0.1";

    @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on; 0 picks a free one"
            + " (default: ${DEFAULT-VALUE}).")
    int port = FastVlmServer.DEFAULT_PORT;

    @Option(names = "--device", paramLabel = "SERIAL", description = "A phone of the pool, by its ADB serial;"
            + " repeatable. With --model-dir and --sdk but no --device: every phone the adb server lists.")
    List<String> devices = new ArrayList<>();

    @Option(names = "--model-dir", paramLabel = "DIR", description = "The FastVLM model bundle folder.")
    Path modelDir;

    @Option(names = "--sdk", paramLabel = "DIR", description = "The QAIRT SDK folder.")
    Path sdk;

    @Option(names = "--api-key", paramLabel = "KEY", description = "Key clients must send as 'Authorization:"
            + " Bearer KEY' (default: $" + API_KEY_VARIABLE + "; none on 127.0.0.1).")
    String apiKey;

    @Option(names = "--emulators", paramLabel = "N", description = "How many emulated phones to serve when no"
            + " phone is given (default: ${DEFAULT-VALUE}).")
    int emulators = 1;

    @Option(names = "--realistic-timing", description = "Make the emulated phones take Snapdragon 8 Elite-like"
            + " time (model loads, inference) instead of answering at once.")
    boolean realisticTiming;

    @Option(names = "--queue", paramLabel = "N", description = "Most requests waiting for a free phone; one more"
            + " gets 503 (default: ${DEFAULT-VALUE}).")
    int queue = 16;

    @Option(names = "--timeout", paramLabel = "SECONDS", description = "Most time one request may take, its wait"
            + " for a phone included; then 504 (default: ${DEFAULT-VALUE}).")
    long timeoutSeconds = 300;

    @Option(names = "--image-folder", paramLabel = "DIR", description = "Let requests name image files in this"
            + " folder (a path or file:// URL); without it only data: URLs are accepted.")
    Path imageFolder;

    @Option(names = "--max-new-tokens", paramLabel = "N", description = "Most tokens an answer has when the"
            + " request gives no max_tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens = GenerationOptions.defaults().maxNewTokens();

    @Option(names = "--backend", paramLabel = "cpu|htp", converter = OptionValues.Backend.class,
            description = "Where the language model runs: cpu (the phone's CPU) or htp (its NPU). Default: cpu.")
    DecoderBackend backend = DecoderBackend.CPU;

    @Override
    public Integer call() throws IOException, InterruptedException {
        boolean phones = !devices.isEmpty() || modelDir != null || sdk != null;
        List<String> missing = SessionCommand.missingPhoneOptions(modelDir, sdk);
        if (phones && !missing.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "phones need " + String.join(" and ", missing)
                    + "; without --device the built-in emulator is served");
        }
        if (emulators < 1) {
            throw new ParameterException(spec.commandLine(), "--emulators must be 1 or more, was " + emulators);
        }
        String key = apiKey != null ? apiKey : System.getenv(API_KEY_VARIABLE);
        GenerationOptions generation;
        try {
            generation = GenerationOptions.builder().maxNewTokens(maxNewTokens).build();
        } catch (InvalidConfigurationException e) {
            throw new ParameterException(spec.commandLine(), "--max-new-tokens: " + e.getMessage());
        }
        FastVlmServer.Builder builder = FastVlmServer.builder().host(host).port(port).apiKey(key).queueLength(queue)
                .requestTimeout(Duration.ofSeconds(timeoutSeconds)).generation(generation);
        if (imageFolder != null) {
            builder.imageFolder(imageFolder);
        }
        List<EmulatedDevice> emulated = new ArrayList<>();
        FastVlmServer server = null;
        Thread stop = null;
        PrintWriter out = spec.commandLine().getOut();
        try {
            if (phones) {
                List<String> serials = devices.isEmpty() ? AdbTransport.readySerials() : devices;
                if (serials.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "the adb server lists no ready phone:"
                            + " attach one (adb devices) or name it with --device SERIAL");
                }
                for (String serial : serials) {
                    builder.device(serial, () -> open(AdbTransport.connect(serial), modelDir, sdk));
                }
            } else {
                EmulatorOptions options = EmulatorOptions.builder()
                        .timing(realisticTiming ? EmulatedTiming.REALISTIC : EmulatedTiming.INSTANT).build();
                for (int i = 0; i < emulators; i++) {
                    EmulatedDevice device = EmulatedDevice.start(AdbTransport::direct, options);
                    emulated.add(device);
                    builder.device(device.serial(), () -> open(AdbTransport.direct("127.0.0.1",
                            device.emulator().port(), device.adbKey()), device.bundleDir(), device.sdkDir()));
                }
            }
            try {
                server = builder.build();
            } catch (InvalidConfigurationException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            // TERM, INT and HUP close the server, its phones' instances and the emulated phones' folders.
            FastVlmServer serving = server;
            stop = new Thread(() -> {
                serving.close();
                emulated.forEach(EmulatedDevice::close);
            }, "fastvlm-serve-stop");
            Runtime.getRuntime().addShutdownHook(stop);
            server.start();
            out.println("Serving " + (phones ? "FastVLM" : "the emulated FastVLM (answers say what reached the"
                    + " emulated decoder, they are not FastVLM's)") + " at " + server.baseUri() + " on "
                    + (phones ? server.deviceCount() + " phone(s)" : emulators + " emulated phone(s)") + ".");
            out.println("Try: curl " + server.baseUri() + "/models" + (key != null
                    ? " -H \"Authorization: Bearer $" + API_KEY_VARIABLE + "\"" : ""));
            out.flush();
            server.awaitClose();
            return 0;
        } catch (IOException | RuntimeException | InterruptedException e) {
            // Start failed, or the waiting thread was interrupted (an embedding program, a test): stop here.
            if (stop != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(stop);
                } catch (IllegalStateException shuttingDown) {
                    // The hook is running or has run: it closes everything itself.
                }
            }
            if (server != null) {
                server.close();
            }
            emulated.forEach(EmulatedDevice::close);
            throw e;
        }
    }

    private FastVlm open(AdbTransport transport, Path bundle, Path sdkDir) {
        return FastVlm.builder().device(transport).models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdkDir).decoderBackend(backend).build())
                .requestTimeout(Duration.ofSeconds(timeoutSeconds))
                .visionCacheSize(VISION_CACHE_ENTRIES)
                .build();
    }
}

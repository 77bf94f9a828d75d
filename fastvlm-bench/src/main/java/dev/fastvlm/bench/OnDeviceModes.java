package dev.fastvlm.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.fastvlm.DecoderEngine;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.VisionEngine;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.ToolEnvironment;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.transport.Transport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Per request on the emulator's realistic profile ({@link EmulatedTiming#REALISTIC}: every model
 * load and inference a phone pays, waited for), the SDK's three ways to run FastVLM, for the
 * benchmark table in fastvlm-bench/README.md (the seed's flow is measured by
 * {@code seed-flow/compare.sh}; {@code seed-flow/on-device-modes.sh} runs both and prints the ratios):
 *
 * <ul>
 *   <li>{@code adb}: over ADB to the device emulator, qnn-net-run and genie-t2t-run per request;</li>
 *   <li>{@code local-process}: on the device ({@link LocalTransport}), the same programs per request;</li>
 *   <li>{@code in-process}: on the device, both engines in this process, on the stand-in
 *       libQnnHtp.so/libQnnSystem.so/libGenie.so of fastvlm-core's test sources (compiled here with
 *       {@code gcc}) made to wait the same loads (once) and inference times.</li>
 * </ul>
 *
 * <p>Each mode: one warm-up request, then {@code runs} measured ones; the time to first token is
 * from the call to the first answer piece the listener receives. A simulation of a phone: the
 * waits are public measurements, the work in between is this machine's. Run from the repository
 * root: {@code java -cp fastvlm-bench/target/benchmarks.jar dev.fastvlm.bench.OnDeviceModes IMAGE [RUNS]
 * [WIDTH] [MAX_TOKENS] [PROMPT]}.
 */
public final class OnDeviceModes {

    /** The stand-in Genie's benchmark knobs. */
    public interface GenieKnobs extends Library {
        /**
         * Dialog creation and per-token delays.
         *
         * @param initMillis what GenieDialog_create waits
         * @param tokenMillis what each generated token waits
         */
        void GenieStandIn_setDelays(int initMillis, int tokenMillis);

        /**
         * Prompt processing rate and whether the answer fills max-num-tokens.
         *
         * @param fill non-zero: repeat the answer up to max-num-tokens
         * @param promptRate prompt tokens per second
         */
        void GenieStandIn_setAnswer(int fill, double promptRate);
    }

    /** The stand-in libQnnHtp.so's delays. */
    public interface QnnKnobs extends Library {
        /**
         * Context load and per-execution delays.
         *
         * @param loadMillis what contextCreateFromBinary waits
         * @param inferenceMillis what each graphExecute waits
         */
        void QnnHtpStandIn_setDelays(int loadMillis, int inferenceMillis);
    }

    private OnDeviceModes() {
    }

    /**
     * Runs the three modes and prints one line per mode: its name, the median time to first token
     * and the median whole request, in milliseconds, then every run.
     *
     * @param args the image, then optionally runs (5), width (112), max new tokens (64), prompt
     * @throws Exception when a mode cannot run
     */
    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int width = args.length > 2 ? Integer.parseInt(args[2]) : 112;
        int maxTokens = args.length > 3 ? Integer.parseInt(args[3]) : 64;
        String prompt = args.length > 4 ? args[4] : "Describe this image in one sentence.";
        EmulatedTiming timing = EmulatedTiming.REALISTIC;
        Path work = Files.createTempDirectory("fastvlm-on-device-modes");
        try {
            Path sdk = StandIns.emulatedSdk(work.resolve("sdk"));
            Path standInSdk = StandIns.emulatedSdk(work.resolve("sdk-standin"));
            StandIns.installLibraries(standInSdk, Files.createDirectories(work.resolve("build")));
            Path bundle = EmulatedBundle.write(work.resolve("bundle"), width, EmulatedBundle.VisionPrecision.INT8);
            Path bin = StandIns.getpropFolder(work);
            GenerationOptions generation = GenerationOptions.builder().maxNewTokens(maxTokens).build();

            List<String> lines = new ArrayList<>();
            try (BenchDevice device = BenchDevice.start(work.resolve("adb"), EmulatorOptions.builder().timing(timing))) {
                lines.add(measure("adb", runs, image, prompt, () -> FastVlm.builder().device(device.transport())
                        .models(bundle).runtime(QairtRuntime.of(sdk)).generation(generation).build()));
            }
            Supplier<Transport> local = () -> LocalTransport.builder()
                    .environment("PATH", bin + ":" + System.getenv("PATH"))
                    .environment(ToolEnvironment.TIMING, timing.encode()).build();
            lines.add(measure("local-process", runs, image, prompt, () -> FastVlm.builder().device(local.get())
                    .models(bundle).runtime(QairtRuntime.builder().sdkDirectory(sdk)
                            .deviceDirectory(work.resolve("device-process").toString()).build())
                    .generation(generation).build()));
            Path residentDir = work.resolve("device-in-process");
            lines.add(measure("in-process", runs, image, prompt, () -> {
                FastVlm vlm = FastVlm.builder().device(local.get())
                        .models(bundle).runtime(QairtRuntime.builder().sdkDirectory(standInSdk)
                                .deviceDirectory(residentDir.toString()).build())
                        .generation(generation).visionEngine(VisionEngine.IN_PROCESS)
                        .decoderEngine(DecoderEngine.IN_PROCESS).build();
                // build() loaded both models once (not part of a request); from now on the libraries it
                // loaded (the same files, so the same loaded copies) wait a phone's per-request times.
                Native.load(residentDir.resolve("libQnnHtp.so").toString(), QnnKnobs.class)
                        .QnnHtpStandIn_setDelays((int) timing.contextLoadMillis(), (int) timing.visionEncoderMillis());
                GenieKnobs genie = Native.load(residentDir.resolve("libGenie.so").toString(), GenieKnobs.class);
                genie.GenieStandIn_setDelays((int) timing.decoderInitMillis(),
                        (int) Math.round(1000 / timing.tokensPerSecond()));
                genie.GenieStandIn_setAnswer(1, timing.promptTokensPerSecond());
                return vlm;
            }));
            lines.forEach(System.out::println);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static String measure(String mode, int runs, Path image, String prompt, Supplier<FastVlm> build) {
        List<Long> ttft = new ArrayList<>();
        List<Long> total = new ArrayList<>();
        int tokens = 0;
        try (FastVlm vlm = build.get()) {
            vlm.describe(image, prompt);
            for (int i = 0; i < runs; i++) {
                long[] first = {0};
                long start = System.nanoTime();
                tokens = vlm.describe(image, prompt, piece -> {
                    if (first[0] == 0) {
                        first[0] = System.nanoTime();
                    }
                }).stats().generatedTokens();
                long end = System.nanoTime();
                ttft.add((first[0] - start) / 1_000_000);
                total.add((end - start) / 1_000_000);
            }
        }
        return mode + " " + median(ttft) + " " + median(total) + " tokens=" + tokens + " ttft=" + ttft + " total="
                + total;
    }

    private static long median(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}

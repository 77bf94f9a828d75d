package dev.fastvlm.bench;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.emulator.model.EmulatedBundle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * 20 consecutive describe requests on one {@link FastVlm} over {@link LocalTransport}, with Genie
 * as a {@code genie-t2t-run} program per request ({@code PROCESS}) or loaded once in this JVM
 * ({@code IN_PROCESS}). Both decoders are the stand-in Genie of fastvlm-core's test sources (a
 * libGenie.so and a genie-t2t-run over it, compiled here with {@code gcc}), whose dialog creation
 * sleeps {@code modelLoadMillis} like a model load; the vision encoder is the emulated SDK's
 * qnn-net-run (a JVM start per request) in both. Run from the repository root:
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar DecoderEngineBenchmark -f 1 -wi 1 -i 2
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DecoderEngineBenchmark {

    static final int REQUESTS = 20;

    @Param({"PROCESS", "IN_PROCESS"})
    public DecoderEngine engine;

    /** What GenieDialog_create costs (the emulator's Snapdragon 8 Elite figure is 450 ms). */
    @Param({"450"})
    public int modelLoadMillis;

    private Path work;
    private Path image;
    private FastVlm vlm;

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        work = Files.createTempDirectory("fastvlm-bench-decoder");
        Path sdk = StandIns.emulatedSdk(work.resolve("sdk"));
        StandIns.installGenie(sdk, Files.createDirectories(work.resolve("genie-build")));
        Path bundle = EmulatedBundle.write(work.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        Path bin = StandIns.getpropFolder(work);
        image = Files.write(work.resolve("red-blue.png"), BenchImages.twoColourPng(Color.RED, Color.BLUE));
        // Every genie-t2t-run pays the load (the variable reaches it through the transport); the in-process
        // dialog is created once, by the warm-up request below, before anything is measured.
        vlm = FastVlm.builder()
                .device(LocalTransport.builder().environment("PATH", bin + ":" + System.getenv("PATH"))
                        .environment("GENIE_STANDIN_INIT_MS", Integer.toString(modelLoadMillis)).build())
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory(work.resolve("device").toString())
                        .build())
                .decoderEngine(engine)
                .build();
        vlm.describe(image, "What is in the image?");
    }

    @Benchmark
    public int twentyRequests() {
        int characters = 0;
        for (int i = 0; i < REQUESTS; i++) {
            characters += vlm.describe(image, "What is in the image?").text().length();
        }
        return characters;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        vlm.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}

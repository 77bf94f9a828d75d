package dev.fastvlm.bench;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
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

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
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
    /** Where the stand-in Genie's C sources are; the default holds when run from the repository root. */
    static final String SOURCES = System.getProperty("fastvlm.genieStandInSources", "fastvlm-core/src/test/c");

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
        // The tools run in the device directory, so a class path relative to here (java -jar fastvlm-bench/...)
        // must be made absolute for them.
        String classpath = java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
        Path sdk = EmulatedSdk.write(work.resolve("sdk"), ProcessHandle.current().info().command().orElse("java"),
                classpath);
        installStandInGenie(sdk, Files.createDirectories(work.resolve("genie-build")));
        Path bundle = EmulatedBundle.write(work.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path getprop = bin.resolve("getprop");
        Files.writeString(getprop, "#!/bin/sh\n[ \"$1\" = ro.soc.model ] && echo SM8750 || echo\n");
        Files.setPosixFilePermissions(getprop, PosixFilePermissions.fromString("rwxr-xr-x"));
        image = work.resolve("red-blue.png");
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 320, 480);
        g.setColor(Color.BLUE);
        g.fillRect(320, 0, 320, 480);
        g.dispose();
        ImageIO.write(img, "png", image.toFile());
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

    static void installStandInGenie(Path sdk, Path build) throws IOException, InterruptedException {
        Path sources = Path.of(SOURCES).toAbsolutePath();
        Path library = build.resolve("libGenie.so");
        Path tool = build.resolve("genie-t2t-run");
        gcc(List.of("-shared", "-fPIC", "-o", library.toString(), sources.resolve("genie_standin.c").toString(),
                "-lm"));
        gcc(List.of("-o", tool.toString(), sources.resolve("genie_t2t_run_standin.c").toString(), "-L" + build,
                "-lGenie"));
        Files.copy(library, sdk.resolve("lib/aarch64-android/libGenie.so"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tool, sdk.resolve("bin/aarch64-android/genie-t2t-run"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
    }

    private static void gcc(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("CC", "gcc"), "-O2"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("compiling the stand-in Genie failed (run from the repository root or set "
                    + "-Dfastvlm.genieStandInSources): " + command + "\n" + log);
        }
    }
}

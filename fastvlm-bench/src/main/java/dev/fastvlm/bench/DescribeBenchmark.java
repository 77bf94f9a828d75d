package dev.fastvlm.bench;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.apache.commons.io.file.PathUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

import java.io.File;
import java.io.IOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Repeated describes against the device emulator over ADB with {@link EmulatedTiming#INSTANT}
 * (latencies reported, never waited for), so each request's wall time is the host's own work
 * plus the emulated device programs' process start-up. JMH reports the whole request; each
 * measured request's stage timings ({@code Description.stats().stages()}) go to a CSV file
 * ({@link StageLog}) that {@code scripts/describe_stage_chart.py} turns into medians and a chart.
 * Every request after the first must push zero model bytes, or the benchmark fails.
 *
 * <p>A request takes about two seconds, nearly all of it in the emulated device programs, so the
 * host's code runs a few dozen times a minute and the JIT compiles it for minutes: with a few
 * requests of warm-up the compiler threads take tens of milliseconds of CPU per request on the
 * same cores. The default warm-up (ten 10-second iterations, about 40 requests) lets them
 * settle; each measured request records the JIT's and the collector's time during it
 * ({@code jit-millis}, {@code gc-millis}) so a result still far from steady state shows.
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar DescribeBenchmark -f 1
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 10, time = 10)
@Measurement(iterations = 15, time = 1)
public class DescribeBenchmark {

    static final String PROMPT = "Describe the image in detail.";
    /** A system property naming an image file to describe instead of the generated one ({@code image} then only labels it). */
    static final String OWN_IMAGE = "fastvlm.bench.imageFile";

    /** {@code png-1024}: a 1024x1024 PNG; {@code jpeg-12mp}: a 4000x3000 JPEG. */
    @Param({"png-1024", "jpeg-12mp"})
    public String image;

    /** Embedding width of the emulated bundle: 896 is FastVLM's (a 545 MB LUT), 56 a small one. */
    @Param({"56", "896"})
    public int width;

    private Path work;
    private Path imageFile;
    private BenchDevice device;
    private FastVlm vlm;
    private StageLog log;
    private boolean measuring;
    private final CompilationMXBean jit = ManagementFactory.getCompilationMXBean();

    @Setup(Level.Trial)
    public void start() throws IOException {
        work = Files.createTempDirectory("fastvlm-bench-describe");
        log = new StageLog(image, width);
        try {
            open();
        } catch (IOException | RuntimeException e) {
            // JMH skips the trial's tear-down when its set-up fails; don't leave a 1 GB folder behind.
            release();
            throw e;
        }
    }

    private void open() throws IOException {
        String ownImage = System.getProperty(OWN_IMAGE);
        imageFile = ownImage == null ? BenchImages.write(work, image)
                : Files.copy(Path.of(ownImage), work.resolve(Path.of(ownImage).getFileName()));
        log.record("setup", "image-bytes", Files.size(imageFile));

        long start = System.nanoTime();
        Path bundle = EmulatedBundle.write(work.resolve("bundle"), width, EmulatedBundle.VisionPrecision.INT8);
        log.record("setup", "bundle-write-nanos", System.nanoTime() - start);
        log.record("setup", "bundle-bytes", PathUtils.sizeOfDirectory(bundle));

        device = BenchDevice.start(work, EmulatorOptions.builder()
                .timing(EmulatedTiming.INSTANT)
                .toolClasspath(absoluteClassPath()));
        vlm = FastVlm.builder()
                .device(device.transport())
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(EmulatedSdk.write(work.resolve("sdk"))).build())
                .build();

        start = System.nanoTime();
        Description first = vlm.describe(imageFile, PROMPT);
        log.record("first", "wall", System.nanoTime() - start);
        log.record("first", first);
        if (first.stats().modelBytesPushed() == 0) {
            throw new IllegalStateException("the first request on a fresh emulator pushed no model bytes");
        }
    }

    /**
     * The emulated programs run in the device sandbox, so a relative class path (JMH's fork gets
     * {@code fastvlm-bench/target/benchmarks.jar} when started from the repository root) must be
     * made absolute.
     */
    private static String absoluteClassPath() {
        return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public Description describe() {
        long jitBefore = jit.getTotalCompilationTime();
        long gcBefore = gcMillis();
        long start = System.nanoTime();
        Description d = vlm.describe(imageFile, PROMPT);
        long wall = System.nanoTime() - start;
        long jitMillis = jit.getTotalCompilationTime() - jitBefore;
        long gcMillis = gcMillis() - gcBefore;
        if (d.stats().modelBytesPushed() != 0) {
            throw new IllegalStateException("a repeated request pushed " + d.stats().modelBytesPushed()
                    + " model bytes; stages " + d.stats().stages());
        }
        if (measuring) {
            String request = log.nextRequest();
            log.record(request, "wall", wall);
            log.record(request, d);
            log.record(request, "jit-millis", jitMillis);
            log.record(request, "gc-millis", gcMillis);
        }
        return d;
    }

    private static long gcMillis() {
        long total = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        try {
            log.writeTo(StageLog.outputDirectory());
        } finally {
            release();
        }
    }

    private void release() throws IOException {
        try {
            if (vlm != null) {
                vlm.close();
            }
            if (device != null) {
                device.close();
            }
        } finally {
            PathUtils.deleteDirectory(work);
        }
    }
}

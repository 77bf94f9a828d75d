package dev.fastvlm.bench;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.core.pipeline.QairtSdk;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A one-shot describe's {@code sync} when the device already holds everything: the model bundle
 * (FastVLM's width by default: 1.3 GB with a 544 MB {@code LUT.bin}) and the SDK's device files,
 * synced to the device emulator over ADB through {@link ArtifactSync}, as a new process does it:
 * the host digests come from the digest cache file, the device's manifest, sizes and times from
 * the device, under its lock. Every operation must push nothing (it throws otherwise).
 *
 * <p>{@code device=emulator} goes over ADB to the emulator, whose shell starts real processes for
 * the two device scripts (take the lock and read the state; release it); {@code device=local} runs
 * the same scripts with {@link LocalTransport} (a device folder on this machine, as on the phone
 * itself), which leaves out ADB and the emulator's sandbox.
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar SyncBenchmark -f 1
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class SyncBenchmark {

    private static final String DEVICE_DIR = "/data/local/tmp/fastvlm-bench-sync";

    @Param({"896"})
    public int width;

    @Param({"emulator", "local"})
    public String device;

    private Path work;
    private BenchDevice emulator;
    private Transport transport;
    private List<ArtifactSync.Artifact> artifacts;
    private Path digestCache;
    private String deviceDir;

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        work = Files.createTempDirectory("fastvlm-bench-sync");
        try {
            Path bundle = EmulatedBundle.write(work.resolve("bundle"), width, EmulatedBundle.VisionPrecision.INT8);
            Path sdk = EmulatedSdk.write(work.resolve("sdk"));
            artifacts = new ArrayList<>();
            try (Stream<Path> files = Files.list(bundle)) {
                files.filter(Files::isRegularFile).sorted().forEach(f -> artifacts.add(ArtifactSync.Artifact.of(f)));
            }
            QairtSdk.open(sdk, "v79", DecoderBackend.HTP).deviceFiles()
                    .forEach(f -> artifacts.add(ArtifactSync.Artifact.of(f)));
            digestCache = work.resolve("cache/host-digests.tsv");
            if (device.equals("emulator")) {
                emulator = BenchDevice.start(work, EmulatorOptions.builder());
                transport = emulator.transport();
                deviceDir = DEVICE_DIR;
            } else if (device.equals("local")) {
                transport = LocalTransport.create();
                deviceDir = work.resolve("device").toString();
            } else {
                throw new IllegalArgumentException("device must be emulator or local, was " + device);
            }
            // Files modified in the last two seconds are not remembered (a coarse clock could hide a change).
            Thread.sleep(2_500);
            if (sync().bytesPushed() == 0) {
                throw new IllegalStateException("the first sync to a fresh emulator pushed nothing");
            }
        } catch (IOException | RuntimeException | InterruptedException e) {
            stop();
            throw e;
        }
    }

    private ArtifactSync.Report sync() {
        return ArtifactSync.to(transport, deviceDir).digestCache(digestCache)
                .sync(artifacts, TransferListener.NONE);
    }

    /** Files synced per operation (for the benchmark's test). */
    int files() {
        return artifacts.size();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public ArtifactSync.Report syncWithNothingToPush() {
        ArtifactSync.Report report = sync();
        if (report.bytesPushed() != 0 || !report.verifiedOnDevice().isEmpty()) {
            throw new IllegalStateException("a sync of an unchanged bundle pushed or verified: " + report);
        }
        return report;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        try {
            if (emulator != null) {
                emulator.close();
            } else if (transport != null) {
                transport.close();
            }
        } finally {
            PathUtils.deleteDirectory(work);
        }
    }
}

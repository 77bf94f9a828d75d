package dev.fastvlm.bench;

import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.PreprocessedImage;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's largest share of a describe, alone: {@code preprocessStreaming} of the benchmark
 * image and the push of its tensor (with the input list, in one batch, as the pipeline sends them)
 * to the device emulator over ADB. For the PNG this is the decode racing the transfer: its rows
 * inflate on one core while the caller's thread unfilters and pushes them. A request's worth of
 * work takes some 20 ms instead of {@link DescribeBenchmark}'s two seconds of emulated device
 * programs, so the JIT settles within seconds and a run gives hundreds of samples: the place to
 * compare changes to the decoders and the push path. Each operation writes a fresh device
 * directory, as a request does; they are removed after every iteration, off the clock.
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar ImagePushBenchmark -f 1
 * </pre>
 */
@State(Scope.Benchmark)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
public class ImagePushBenchmark {

    private static final String DEVICE_DIR = "/data/local/tmp/fastvlm-bench-push";

    @Param({"png-1024", "jpeg-12mp"})
    public String image;

    private Path work;
    private Path imageFile;
    private BenchDevice device;
    private final ImagePreprocessor preprocessor = ImagePreprocessor.builder().build();
    private int request;

    @Setup(Level.Trial)
    public void start() throws IOException {
        work = Files.createTempDirectory("fastvlm-bench-push");
        try {
            imageFile = BenchImages.write(work, image);
            device = BenchDevice.start(work, EmulatorOptions.builder());
        } catch (IOException | RuntimeException e) {
            stop();
            throw e;
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public String preprocessAndPush() {
        String dir = DEVICE_DIR + "/req-" + request++;
        PreprocessedImage pixels = preprocessor.preprocessStreaming(ImageInput.of(imageFile));
        String input = dir + "/pixel_values.raw";
        device.transport().writeAll(List.of(
                Upload.of(dir + "/vision_input_list.txt", (input + "\n").getBytes(StandardCharsets.UTF_8)).inPlace(),
                new Upload(input, pixels.byteSize(), pixels::writeTo).inPlace()), TransferListener.NONE);
        return input;
    }

    /** A pushed file's bytes, read back from the emulator (for the benchmark's test). */
    byte[] readBack(String devicePath) {
        return device.transport().read(devicePath, Integer.MAX_VALUE);
    }

    @TearDown(Level.Iteration)
    public void removeRequests() {
        if (!device.transport().run(DeviceCommand.of("rm", "-rf", DEVICE_DIR), OutputListener.NONE).succeeded()) {
            throw new IllegalStateException("could not remove " + DEVICE_DIR + " on the emulator");
        }
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        try {
            if (device != null) {
                device.close();
            }
        } finally {
            PathUtils.deleteDirectory(work);
        }
    }
}

package dev.fastvlm.bench;

import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.decode.RgbImage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The two halves of {@link DescribeBenchmark}'s {@code preprocess} stage on its images: decode
 * (read + decode + convert to RGB) and the PIL-exact bicubic resize to 1024 x 1024, each on its
 * own, and the whole stage as the pipeline runs it ({@code preprocess}), where the resampler reads
 * rows while the decoder is still writing the next ones, so it takes less than the sum. The images are
 * written to {@code fastvlm-bench/target/describe-images/} (or {@code -Dfastvlm.bench.images=DIR}),
 * where {@code scripts/pil_preprocess_stages.py} times PIL on the same files.
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar PreprocessStagesBenchmark -f 1 -wi 3 -i 5 -w 1 -r 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PreprocessStagesBenchmark {

    /** As in {@link DescribeBenchmark}. */
    @Param({"png-1024", "jpeg-12mp"})
    public String image;

    private final ImagePreprocessor preprocessor = ImagePreprocessor.builder().build();
    private ImageInput input;
    private RgbImage decoded;

    @Setup
    public void setUp() throws IOException {
        Path dir = Path.of(System.getProperty("fastvlm.bench.images", "fastvlm-bench/target/describe-images"));
        input = ImageInput.of(BenchImages.write(dir, image));
        decoded = preprocessor.decode(input);
    }

    @Benchmark
    public RgbImage decode() {
        return preprocessor.decode(input);
    }

    @Benchmark
    public RgbImage resize() {
        return preprocessor.resize(decoded);
    }

    @Benchmark
    public RgbImage preprocess() {
        return preprocessor.preprocess(input).pixels();
    }
}

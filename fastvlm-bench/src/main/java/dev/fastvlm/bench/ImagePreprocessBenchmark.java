package dev.fastvlm.bench;

import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.PreprocessedImage;
import dev.fastvlm.core.image.decode.ImageDecoder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Step 2 of the flow end to end, as the reference Python does it: read the file, decode, convert
 * to RGB, PIL-bicubic resize to 1024 x 1024, write the uint8 tensor (into memory, as the PIL side
 * of {@code scripts/compare_image_preprocessing_with_pil.py} does).
 *
 * <p>The images are made by that script ({@code -p image=...}); sampling mode so the script can
 * read the median.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ImagePreprocessBenchmark {

    /** Image file to preprocess; the comparison script passes its generated images. */
    @Param("")
    public String image;

    /** {@code standard}: libjpeg-turbo for JPEG where installed; {@code imageio}: ImageIO only. */
    @Param({"standard", "imageio"})
    public String decoder;

    private ImagePreprocessor preprocessor;
    private ByteBuffer tensor;

    @Setup
    public void setUp() {
        if (image.isEmpty() || !Files.isRegularFile(Path.of(image))) {
            throw new IllegalArgumentException("pass -p image=FILE (see scripts/compare_image_preprocessing_with_pil.py)");
        }
        preprocessor = ImagePreprocessor.builder()
                .decoder(decoder.equals("imageio") ? ImageDecoder.imageIo() : ImageDecoder.standard())
                .build();
        tensor = ByteBuffer.allocate(ImagePreprocessor.DEFAULT_SIZE * ImagePreprocessor.DEFAULT_SIZE * 3);
    }

    @Benchmark
    public ByteBuffer preprocess() {
        PreprocessedImage result = preprocessor.preprocess(ImageInput.of(Path.of(image)));
        tensor.clear();
        result.writeTo(tensor);
        return tensor;
    }
}

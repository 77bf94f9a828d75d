package dev.fastvlm.bench;

import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.ImagePreprocessor;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark times the real thing only if what reaches the device is the image's tensor. */
class ImagePushBenchmarkTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"png-1024", "jpeg-12mp"})
    @Timeout(120)
    void eachOperationPushesThePreprocessedImage(String image) throws IOException {
        ImagePushBenchmark benchmark = new ImagePushBenchmark();
        benchmark.image = image;
        benchmark.start();
        try {
            String first = benchmark.preprocessAndPush();
            String second = benchmark.preprocessAndPush();
            assertThat(second).as("a fresh directory per operation").isNotEqualTo(first);

            byte[] expected = ImagePreprocessor.builder().build()
                    .preprocess(ImageInput.of(BenchImages.write(dir, image))).pixels().rgb();
            byte[] pushed = benchmark.readBack(second);
            assertThat(pushed).hasSize(1024 * 1024 * 3);
            assertThat(Arrays.equals(pushed, expected)).as("the pushed tensor is the preprocessed image").isTrue();
            benchmark.removeRequests();
        } finally {
            benchmark.stop();
        }
    }
}

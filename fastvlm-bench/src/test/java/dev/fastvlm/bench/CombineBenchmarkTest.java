package dev.fastvlm.bench;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** A benchmark only compares like with like if its contenders compute the same bytes. */
class CombineBenchmarkTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void libraryPathAndPerElementBaselineWriteIdenticalBytes(int scale) {
        CombineBenchmark benchmark = new CombineBenchmark();
        benchmark.scale = scale;
        benchmark.setUp();
        byte[] library = bytes(benchmark.combineIntoBuffer());
        byte[] baseline = bytes(benchmark.baselinePerElementLoop());
        int rows = (CombineBenchmark.VISION_ROWS + CombineBenchmark.TEXT_TOKENS) * scale;
        assertThat(library).hasSize(rows * CombineBenchmark.WIDTH * 4);
        assertThat(Arrays.equals(library, baseline)).as("same bytes").isTrue();
        assertThat(bytes(benchmark.baselinePlainCopy())).hasSize(library.length);
    }

    private static byte[] bytes(ByteBuffer written) {
        ByteBuffer copy = written.duplicate();
        copy.flip();
        byte[] out = new byte[copy.remaining()];
        copy.get(out);
        return out;
    }
}

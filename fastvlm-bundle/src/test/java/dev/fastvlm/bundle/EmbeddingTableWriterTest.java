package dev.fastvlm.bundle;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.bundle.safetensors.SafetensorsCheckpoint;
import dev.fastvlm.bundle.safetensors.SafetensorsFile;
import dev.fastvlm.bundle.safetensors.TensorEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.fastvlm.bundle.Goldens.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LUT.bin against numpy's float32 cast of the stored table, row for row (goldens by the Python writer). */
class EmbeddingTableWriterTest {
    private static final int HIDDEN = 24;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"single-f32, 1048576", "single-f16, 1048576", "single-bf16, 1048576",
            "single-f32, 200", "single-f16, 100", "single-bf16, 1"})
    void equalsNumpysFloat32CastRowForRow(String name, int chunkBytes) throws IOException {
        Path lut = dir.resolve("LUT.bin");
        List<Long> reported = new ArrayList<>();
        try (SafetensorsFile file = SafetensorsFile.open(golden(name + ".safetensors"))) {
            TensorEntry table = file.tensor(CheckpointImport.EMBEDDING_TENSOR).orElseThrow();
            long written = EmbeddingTableWriter.write(file, table, lut, (step, done, total) -> {
                assertThat(step).isEqualTo("LUT.bin");
                assertThat(total).isEqualTo(37);
                reported.add(done);
            }, chunkBytes);
            assertThat(written).isEqualTo(37L * HIDDEN * 4);
        }
        assertRowsEqual(lut, golden(name + ".lut.f32"));
        assertThat(reported).isSorted().last().isEqualTo(37L);
        try (Stream<Path> left = Files.list(dir)) {
            assertThat(left).containsExactly(lut);
        }
    }

    @Test
    void aShardedTableEqualsNumpysToo() throws IOException {
        Path lut = dir.resolve("LUT.bin");
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(golden("sharded-bf16"))) {
            TensorEntry table = checkpoint.tensor(CheckpointImport.EMBEDDING_TENSOR).orElseThrow();
            EmbeddingTableWriter.write(checkpoint.fileOf(table), table, lut, Progress.none());
        }
        assertRowsEqual(lut, golden("sharded-bf16.lut.f32"));
    }

    @Test
    void refusesATableThatIsNotFloatingPoint() {
        try (SafetensorsFile file = SafetensorsFile.open(golden("single-f32.safetensors"))) {
            TensorEntry ints = file.tensor("model.layers.0.self_attn.q_proj.bias").orElseThrow();
            assertThatThrownBy(() -> EmbeddingTableWriter.write(file, ints, dir.resolve("LUT.bin"), Progress.none()))
                    .isInstanceOf(ModelArtifactException.class)
                    .hasMessageContaining("model.layers.0.self_attn.q_proj.bias is I64; the embedding table must be"
                            + " BF16, F16 or F32");
        }
        assertThat(dir.resolve("LUT.bin")).doesNotExist();
    }

    static void assertRowsEqual(Path lut, Path expected) throws IOException {
        byte[] actual = Files.readAllBytes(lut);
        byte[] want = Files.readAllBytes(expected);
        assertThat(actual.length).isEqualTo(want.length);
        int rowBytes = HIDDEN * 4;
        for (int row = 0; row * rowBytes < want.length; row++) {
            int r = row;
            assertThat(java.util.Arrays.copyOfRange(actual, row * rowBytes, (row + 1) * rowBytes))
                    .as(() -> "row " + r).isEqualTo(java.util.Arrays.copyOfRange(want, row * rowBytes, (row + 1) * rowBytes));
        }
    }
}

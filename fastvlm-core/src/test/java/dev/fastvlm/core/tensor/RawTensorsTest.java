package dev.fastvlm.core.tensor;

import dev.fastvlm.FastVlmException;
import dev.fastvlm.ModelArtifactException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RawTensorsTest {

    @TempDir
    Path dir;

    @Test
    void mapsLittleEndian() throws IOException {
        Path file = dir.resolve("t.raw");
        Files.write(file, new byte[] {0, 0, (byte) 0xc0, 0x3f});
        ByteBuffer mapped = RawTensors.map(file, "vision output");
        assertThat(mapped.order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(mapped.getFloat(0)).isEqualTo(1.5f);
    }

    @Test
    void missingFileIsAModelArtifactProblemNamingIt() {
        Path file = dir.resolve("nope.raw");
        assertThatThrownBy(() -> RawTensors.map(file, "vision output"))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("vision output " + file + " does not exist");
    }

    @Test
    void atomicWriteReplacesOnlyWhenComplete() throws IOException {
        Path target = dir.resolve("out/combined.raw");
        RawTensors.writeAtomically(target, out -> out.write(new byte[] {1, 2, 3}));
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);

        assertThatThrownBy(() -> RawTensors.writeAtomically(target, out -> {
            out.write(new byte[] {9, 9});
            throw new IOException("disk full");
        })).isInstanceOf(FastVlmException.class).hasMessage("cannot write " + target + ": disk full");
        assertThat(Files.readAllBytes(target)).containsExactly(1, 2, 3);
        try (var files = Files.list(target.getParent())) {
            assertThat(files).containsExactly(target);
        }
    }
}

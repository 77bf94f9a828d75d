package dev.fastvlm.core.embed;

import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EmbeddingTableTest {

    @TempDir
    Path dir;

    private final int width = EmbedGoldens.integer("width");

    @Test
    void gathersFloat32RowsByTokenId() throws IOException {
        EmbeddingTable table = EmbeddingTable.open(EmbedGoldens.file(dir, "lut_f32.raw"), width,
                QnnDataType.FLOAT_32, Optional.empty());
        assertThat(table.rows()).isEqualTo(EmbedGoldens.integer("lut.rows"));
        assertThat(table.width()).isEqualTo(width);

        int[] ids = EmbedGoldens.ids();
        TextEmbeddings rows = table.gather(ids);
        assertThat(rows.rows()).isEqualTo(ids.length);
        ByteBuffer lut = EmbedGoldens.buffer("lut_f32.raw");
        ByteBuffer written = ByteBuffer.allocate((int) rows.byteSize() + 2).order(ByteOrder.BIG_ENDIAN);
        written.position(2);
        rows.writeTo(written);
        assertThat(written.hasRemaining()).isFalse();
        for (int i = 0; i < ids.length; i++) {
            for (int j = 0; j < width; j++) {
                float expected = lut.getFloat(4 * (ids[i] * width + j));
                assertThat(rows.row(i)[j]).isEqualTo(expected);
                assertThat(Float.intBitsToFloat(Integer.reverseBytes(written.getInt(2 + 4 * (i * width + j)))))
                        .isEqualTo(expected);
            }
        }
    }

    @Test
    void gathersFloat16AndQuantizedRowsAsNumpyDequantizesThem() throws IOException {
        int[] ids = EmbedGoldens.ids();
        assertRows(EmbeddingTable.open(EmbedGoldens.file(dir, "lut_f16.raw"), width, QnnDataType.FLOAT_16,
                Optional.empty()).gather(ids), EmbedGoldens.buffer("lut_f16_rows.raw"));
        Quantization q = Quantization.perTensor(EmbedGoldens.scale("lut.u8.scale"), EmbedGoldens.integer("lut.u8.offset"));
        assertRows(EmbeddingTable.open(EmbedGoldens.file(dir, "lut_u8.raw"), width, QnnDataType.UFIXED_POINT_8,
                Optional.of(q)).gather(ids), EmbedGoldens.buffer("lut_u8_rows.raw"));
    }

    @Test
    void idOutsideTheTableIsAnInputError() throws IOException {
        Path lut = EmbedGoldens.file(dir, "lut_f32.raw");
        EmbeddingTable table = EmbeddingTable.open(lut, width, QnnDataType.FLOAT_32, Optional.empty());
        assertThatThrownBy(() -> table.gather(new int[] {1, 50}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("token id 50 at position 1 is outside LUT " + lut + ", which has 50 rows (ids 0..49)");
        assertThatThrownBy(() -> table.gather(new int[] {-1}))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("token id -1 at position 0");
    }

    @Test
    void tableThatIsNotWholeRowsIsRejected() throws IOException {
        Path lut = Files.write(dir.resolve("LUT.bin"), Arrays.copyOf(EmbedGoldens.bytes("lut_f32.raw"), 1600 - 4));
        assertThatThrownBy(() -> EmbeddingTable.open(lut, width, QnnDataType.FLOAT_32, Optional.empty()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("LUT " + lut + " is 1596 bytes, not a whole number of rows of 8 x QNN_DATATYPE_FLOAT_32"
                        + " (32 bytes each): 49 rows and 28 bytes left over");
    }

    @Test
    void missingTableOrMissingQuantizationIsAModelArtifactProblem() throws IOException {
        Path missing = dir.resolve("LUT.bin");
        assertThatThrownBy(() -> EmbeddingTable.open(missing, width, QnnDataType.FLOAT_32, Optional.empty()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("LUT " + missing + " does not exist");
        Path lut = EmbedGoldens.file(dir, "lut_u8.raw");
        assertThatThrownBy(() -> EmbeddingTable.open(lut, width, QnnDataType.UFIXED_POINT_8, Optional.empty()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("needs quantization parameters");
    }

    @Test
    void mapsTablesLargerThanOneMappingInWholeRows() throws IOException {
        // A sparse 2.5 GB table: more than one byte[] or one MappedByteBuffer can hold.
        Path big = dir.resolve("big-LUT.bin");
        int rowBytes = 896 * 4;
        int rows = 700_000;
        int firstOfSecondMapping = Integer.MAX_VALUE / rowBytes;
        try (var file = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            file.setLength((long) rows * rowBytes);
            for (int row : new int[] {firstOfSecondMapping - 1, firstOfSecondMapping, rows - 1}) {
                file.seek((long) row * rowBytes + 4 * 895);
                file.writeInt(Integer.reverseBytes(Float.floatToIntBits(row)));
            }
        }
        EmbeddingTable table = EmbeddingTable.open(big, 896, QnnDataType.FLOAT_32, Optional.empty());
        assertThat(table.rows()).isEqualTo(rows);
        TextEmbeddings picked = table.gather(new int[] {rows - 1, firstOfSecondMapping, firstOfSecondMapping - 1, 0});
        assertThat(picked.row(0)[895]).isEqualTo(rows - 1);
        assertThat(picked.row(1)[895]).isEqualTo(firstOfSecondMapping);
        assertThat(picked.row(2)[895]).isEqualTo(firstOfSecondMapping - 1);
        assertThat(picked.row(3)[895]).isZero();
    }

    private void assertRows(TextEmbeddings rows, ByteBuffer expected) {
        for (int i = 0; i < rows.rows(); i++) {
            float[] row = rows.row(i);
            for (int j = 0; j < width; j++) {
                assertThat(Float.floatToRawIntBits(row[j])).as("row %d element %d", i, j)
                        .isEqualTo(expected.getInt(4 * (i * width + j)));
            }
        }
    }
}

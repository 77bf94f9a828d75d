package dev.fastvlm.core.embed;

import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CombinedEmbeddingsTest {

    @TempDir
    Path dir;

    private final int width = EmbedGoldens.integer("width");
    private final int visionRows = EmbedGoldens.integer("vision.rows");
    private final int cacheLen = EmbedGoldens.integer("text.cacheLen");
    private final int numText = EmbedGoldens.integer("text.num");

    private TensorSpec visionSpec() {
        return new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, visionRows, width),
                Optional.of(Quantization.perTensor(EmbedGoldens.scale("vision.scale"),
                        EmbedGoldens.integer("vision.offset"))));
    }

    private TensorSpec embedderSpec() {
        return new TensorSpec("output_0", QnnDataType.FLOAT_32, List.of(1, cacheLen, width), Optional.empty());
    }

    private VisionEmbeddings vision() throws IOException {
        return VisionEmbeddings.of(EmbedGoldens.file(dir, "vision_u8.raw"), visionSpec());
    }

    private TextEmbeddings embedderText() throws IOException {
        return TextEmbeddings.fromEmbedderOutput(EmbedGoldens.file(dir, "text_embeds.raw"), embedderSpec(), numText);
    }

    @Test
    void prependReproducesTheSeedsStepSevenByteForByte() throws IOException {
        CombinedEmbeddings combined = CombinedEmbeddings.builder().vision(vision()).text(embedderText()).build();
        byte[] expected = EmbedGoldens.bytes("combined_prepend.raw");
        assertThat(combined.rows()).isEqualTo(visionRows + numText);
        assertThat(combined.byteSize()).isEqualTo(expected.length);
        assertThat(streamed(combined)).isEqualTo(expected);
    }

    @Test
    void everyDestinationGetsTheSameBytes() throws IOException {
        CombinedEmbeddings combined = CombinedEmbeddings.builder().vision(vision()).text(embedderText()).build();
        byte[] expected = EmbedGoldens.bytes("combined_prepend.raw");

        // A big-endian heap buffer with data before it: written little-endian at its position.
        ByteBuffer heap = ByteBuffer.allocate(expected.length + 10).order(ByteOrder.BIG_ENDIAN);
        heap.position(3);
        combined.writeTo(heap);
        assertThat(heap.position()).isEqualTo(3 + expected.length);
        byte[] written = new byte[expected.length];
        heap.get(3, written);
        assertThat(written).isEqualTo(expected);

        ByteBuffer direct = ByteBuffer.allocateDirect(expected.length);
        combined.writeTo(direct);
        assertThat(direct.hasRemaining()).isFalse();
        direct.flip().get(written);
        assertThat(written).isEqualTo(expected);

        Path file = dir.resolve("out/combined.raw");
        combined.writeTo(file);
        assertThat(Files.readAllBytes(file)).isEqualTo(expected);

        assertThatThrownBy(() -> combined.writeTo(ByteBuffer.allocate(expected.length - 1)))
                .isInstanceOf(BufferOverflowException.class);
    }

    @Test
    void placeholderSplicesTheVisionRowsAtTheImageIndex() throws IOException {
        int index = EmbedGoldens.integer("placeholder.index");
        CombinedEmbeddings combined = CombinedEmbeddings.builder().vision(vision()).text(embedderText())
                .layout(ImageLayout.PLACEHOLDER, index).build();
        assertThat(streamed(combined)).isEqualTo(EmbedGoldens.bytes("combined_placeholder.raw"));

        CombinedEmbeddings atStart = CombinedEmbeddings.builder().vision(vision()).text(embedderText())
                .placeholder(0).build();
        assertThat(streamed(atStart)).isEqualTo(EmbedGoldens.bytes("combined_prepend.raw"));
    }

    @Test
    void lutRowsGiveTheSameSequenceAsTheEmbedder() throws IOException {
        EmbeddingTable lut = EmbeddingTable.open(EmbedGoldens.file(dir, "lut_f32.raw"), width, QnnDataType.FLOAT_32,
                Optional.empty());
        CombinedEmbeddings combined = CombinedEmbeddings.builder().vision(vision())
                .text(lut.gather(EmbedGoldens.ids())).build();
        assertThat(streamed(combined)).isEqualTo(EmbedGoldens.bytes("combined_lut.raw"));
    }

    @Test
    void writesTheDecodersNativeEmbeddingTypes() throws IOException {
        CombinedEmbeddings.Builder builder = CombinedEmbeddings.builder().vision(vision()).text(embedderText());

        CombinedEmbeddings f16 = builder.output(QnnDataType.FLOAT_16, Optional.empty()).build();
        assertThat(f16.byteSize()).isEqualTo((long) (visionRows + numText) * width * 2);
        assertThat(streamed(f16)).isEqualTo(EmbedGoldens.bytes("combined_prepend_f16.raw"));

        assertThat(streamed(builder.output(QnnDataType.UFIXED_POINT_8, quant("u8")).build()))
                .isEqualTo(EmbedGoldens.bytes("combined_prepend_u8.raw"));
        assertThat(streamed(builder.output(QnnDataType.UFIXED_POINT_16, quant("u16")).build()))
                .isEqualTo(EmbedGoldens.bytes("combined_prepend_u16.raw"));
        assertThat(streamed(builder.output(QnnDataType.SFIXED_POINT_16, quant("s16")).build()))
                .isEqualTo(EmbedGoldens.bytes("combined_prepend_s16.raw"));

        assertThatThrownBy(() -> builder.output(QnnDataType.UFIXED_POINT_8, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("needs a per-tensor quantization");
        assertThatThrownBy(() -> builder.output(QnnDataType.INT_32, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an embedding type");
    }

    @Test
    void withoutVisionRowsTheSequenceIsTheTextRowsAloneWhateverTheLayout() throws IOException {
        byte[] prepended = EmbedGoldens.bytes("combined_prepend.raw");
        byte[] textOnly = java.util.Arrays.copyOfRange(prepended, visionRows * width * 4, prepended.length);
        for (CombinedEmbeddings.Builder builder : List.of(CombinedEmbeddings.builder(),
                CombinedEmbeddings.builder().placeholder(numText + 5))) {
            CombinedEmbeddings combined = builder.text(embedderText()).build();
            assertThat(combined.rows()).isEqualTo(numText);
            assertThat(combined.byteSize()).isEqualTo(textOnly.length);
            assertThat(streamed(combined)).isEqualTo(textOnly);
        }
    }

    @Test
    void streamsInChunksOfWholeRows() throws IOException {
        // 300 rows of 896 float32: several 64 KiB chunks; no write may split a row.
        int rows = 300;
        int wide = 896;
        ByteBuffer visionBytes = ByteBuffer.allocate(rows * wide);
        for (int i = 0; i < rows * wide; i++) {
            visionBytes.put(i, (byte) (i * 31));
        }
        ByteBuffer textBytes = ByteBuffer.allocate(2 * wide * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 2 * wide; i++) {
            textBytes.putFloat(4 * i, i * 0.5f);
        }
        CombinedEmbeddings combined = CombinedEmbeddings.builder()
                .vision(VisionEmbeddings.of(visionBytes, new TensorSpec("v", QnnDataType.UFIXED_POINT_8,
                        List.of(1, rows, wide), Optional.of(Quantization.perTensor(0.25f, -100))), "vision"))
                .text(TextEmbeddings.fromEmbedderOutput(textBytes, new TensorSpec("t", QnnDataType.FLOAT_32,
                        List.of(1, 2, wide), Optional.empty()), 2, "text"))
                .build();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int[] writes = {0};
        combined.writeTo(new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("single-byte write");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                assertThat(len % (wide * 4)).isZero();
                writes[0]++;
                all.write(b, off, len);
            }
        });
        assertThat(writes[0]).isGreaterThan(10);
        ByteBuffer out = ByteBuffer.wrap(all.toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(out.remaining()).isEqualTo(combined.byteSize()).isEqualTo((rows + 2) * wide * 4L);
        for (int i = 0; i < rows * wide; i += 997) {
            assertThat(out.getFloat(4 * i)).isEqualTo(((float) ((i * 31) & 0xff) - 100f) * 0.25f);
        }
        assertThat(out.getFloat(4 * (rows * wide + 1234))).isEqualTo(617f);
    }

    @Test
    void largeBlocksFromAndIntoBuffersWithoutArraysGiveTheSameBytes() throws IOException {
        // 37 x 301 int8 rows (11,137 elements: several blocks, an odd tail) read from a mapped
        // file and a direct buffer, written into heap, direct and read-only-sourced destinations.
        int rows = 37;
        int wide = 301;
        byte[] q = new byte[rows * wide];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (i * 131 + (i >> 7));
        }
        TensorSpec spec = new TensorSpec("v", QnnDataType.SFIXED_POINT_8, List.of(1, rows, wide),
                Optional.of(Quantization.perTensor(0.0123456789f, 3)));
        ByteBuffer textBytes = ByteBuffer.allocateDirect(3 * wide * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3 * wide; i++) {
            textBytes.putFloat(4 * i, i * -0.375f);
        }
        TextEmbeddings text = TextEmbeddings.fromEmbedderOutput(textBytes, new TensorSpec("t", QnnDataType.FLOAT_32,
                List.of(1, 3, wide), Optional.empty()), 2, "text");
        ByteBuffer expected = ByteBuffer.allocate((rows + 2) * wide * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (byte b : q) {
            expected.putFloat(((float) b + 3f) * 0.0123456789f);
        }
        for (int i = 0; i < 2 * wide; i++) {
            expected.putFloat(i * -0.375f);
        }

        Path file = Files.write(dir.resolve("vision_s8.raw"), q);
        ByteBuffer direct = ByteBuffer.allocateDirect(q.length).put(q).flip();
        for (VisionEmbeddings vision : List.of(VisionEmbeddings.of(file, spec),
                VisionEmbeddings.of(direct, spec, "direct"),
                VisionEmbeddings.of(ByteBuffer.wrap(q).asReadOnlyBuffer(), spec, "read-only"))) {
            CombinedEmbeddings combined = CombinedEmbeddings.builder().vision(vision).text(text).build();
            assertThat(streamed(combined)).as(vision.source()).isEqualTo(expected.array());
            ByteBuffer into = ByteBuffer.allocateDirect(expected.capacity() + 1);
            into.put((byte) 7);
            combined.writeTo(into);
            assertThat(into.flip().get()).isEqualTo((byte) 7);
            byte[] written = new byte[expected.capacity()];
            into.get(written);
            assertThat(written).as(vision.source()).isEqualTo(expected.array());
        }
    }

    @Test
    void visionFileThatDoesNotMatchItsDimsIsRejected() throws IOException {
        Path file = Files.write(dir.resolve("image_features_native.raw"), new byte[visionRows * width - 1]);
        assertThatThrownBy(() -> VisionEmbeddings.of(file, visionSpec()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("vision output " + file + " is 47 bytes, but its dims [1, 6, 8] of"
                        + " QNN_DATATYPE_UFIXED_POINT_8 make 48 bytes");
    }

    @Test
    void widthsOfVisionAndTextMustAgree() throws IOException {
        Path lut = EmbedGoldens.file(dir, "lut_f32.raw");
        TextEmbeddings narrow = EmbeddingTable.open(lut, 4, QnnDataType.FLOAT_32, Optional.empty()).gather(new int[] {1});
        VisionEmbeddings vision = vision();
        assertThatThrownBy(() -> CombinedEmbeddings.builder().vision(vision).text(narrow).build())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("embedding widths differ: vision output " + dir.resolve("vision_u8.raw")
                        + " has rows of 8, LUT " + lut + " has rows of 4");
    }

    @Test
    void moreTextTokensThanEmbedderRowsIsAnInputError() throws IOException {
        Path file = EmbedGoldens.file(dir, "text_embeds.raw");
        assertThatThrownBy(() -> TextEmbeddings.fromEmbedderOutput(file, embedderSpec(), cacheLen + 1))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("text embedder output " + file + " has 16 rows (dims [1, 16, 8]), but the prompt has 17"
                        + " text tokens");
    }

    @Test
    void placeholderIndexMustBeWithinTheText() throws IOException {
        CombinedEmbeddings.Builder builder = CombinedEmbeddings.builder().vision(vision()).text(embedderText())
                .placeholder(numText + 1);
        assertThatThrownBy(builder::build)
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("image index 6 is outside the 5 text tokens (0..5)");
    }

    private static Optional<Quantization> quant(String name) {
        return Optional.of(Quantization.perTensor(EmbedGoldens.scale("out." + name + ".scale"),
                EmbedGoldens.integer("out." + name + ".offset")));
    }

    private static byte[] streamed(CombinedEmbeddings combined) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        combined.writeTo(out);
        return out.toByteArray();
    }
}

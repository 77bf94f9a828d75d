package dev.fastvlm.core.embed;

import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.tensor.Dequantizer;
import dev.fastvlm.core.tensor.RawTensors;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The embedding rows of a prompt's real tokens: gathered from the LUT
 * ({@link EmbeddingTable#gather}) or taken from the device text embedder's padded output.
 * Rows stay in their stored form until written. Immutable.
 */
public final class TextEmbeddings {
    private final Rows rows;
    private final String source;

    TextEmbeddings(Rows rows, String source) {
        this.rows = rows;
        this.source = source;
    }

    /**
     * The first {@code realTokens} rows of the text embedder's output file, a
     * {@code [1, cache_len, width]} tensor (padding after the real tokens is dropped).
     *
     * @param file the embedder's output file, mapped read-only
     * @param spec the embedder output tensor's shape and type
     * @param realTokens the prompt's real tokens, at most the tensor's rows
     * @return the rows, still in their stored type
     * @throws ModelArtifactException when the file is missing, unreadable or not the size {@code spec} declares
     * @throws InvalidInputException when there are more real tokens than rows
     */
    public static TextEmbeddings fromEmbedderOutput(Path file, TensorSpec spec, int realTokens) {
        return fromEmbedderOutput(RawTensors.map(file, "text embedder output"), spec, realTokens,
                "text embedder output " + file);
    }

    /**
     * The first {@code realTokens} rows of the text embedder's output, held in {@code data}
     * (read from its position, little-endian).
     *
     * @param source names the data in messages, e.g. its file
     * @param data the embedder's output
     * @param spec the embedder output tensor's shape and type
     * @param realTokens the prompt's real tokens, at most the tensor's rows
     * @return the rows, still in their stored type
     * @throws ModelArtifactException if the data's size does not match {@code spec}
     * @throws InvalidInputException  if there are more real tokens than the embedder produced rows
     */
    public static TextEmbeddings fromEmbedderOutput(ByteBuffer data, TensorSpec spec, int realTokens, String source) {
        Shapes.checkSize(data, spec, source);
        int width = spec.innermost();
        int available = (int) (spec.elementCount() / width);
        if (realTokens < 0 || realTokens > available) {
            throw new InvalidInputException(source + " has " + available + " rows (dims " + spec.dimensions()
                    + "), but the prompt has " + realTokens + " text tokens");
        }
        return new TextEmbeddings(Rows.leading(data.slice().order(ByteOrder.LITTLE_ENDIAN), realTokens, width,
                Dequantizer.of(spec)), source);
    }

    /** {@return number of rows (text tokens)} */
    public int rows() {
        return rows.count();
    }

    /** {@return elements per row} */
    public int width() {
        return rows.width();
    }

    /**
     * Row {@code r} as float32 (dequantized if stored fixed-point).
     *
     * @param r a row index, 0 to {@link #rows()} - 1
     * @return a new array of {@link #width()} floats
     */
    public float[] row(int r) {
        return rows.row(r);
    }

    /**
     * Bytes {@link #writeTo(ByteBuffer)} writes: the rows as float32.
     *
     * @return 4 times the element count
     */
    public long byteSize() {
        return 4L * rows.count() * rows.width();
    }

    /**
     * Writes the rows as little-endian float32 at {@code dst}'s position, advancing it by
     * {@link #byteSize()}; LUT rows are read from the mapped table here.
     *
     * @param dst the buffer to fill; its byte order is ignored
     * @throws java.nio.BufferOverflowException if fewer than {@link #byteSize()} bytes remain
     */
    public void writeTo(ByteBuffer dst) {
        if (dst.remaining() < byteSize()) {
            throw new java.nio.BufferOverflowException();
        }
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        RowEncoder encoder = RowEncoder.of(QnnDataType.FLOAT_32, Optional.empty());
        float[] scratch = new float[rows.width()];
        encoder.encode(rows, 0, rows.count(), out, scratch);
        ((java.nio.Buffer) dst).position(out.position());
    }

    Rows rowsView() {
        return rows;
    }

    /** {@return where the rows come from, for messages} */
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "TextEmbeddings[" + rows() + " x " + width() + " from " + source + "]";
    }
}

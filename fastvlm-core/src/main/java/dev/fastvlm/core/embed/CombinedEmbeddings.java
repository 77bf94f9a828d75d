package dev.fastvlm.core.embed;

import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.tensor.RawTensors;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The decoder's input sequence {@code [1, T, width]}: the vision rows spliced into the text rows
 * by an {@link ImageLayout}, in the decoder's embedding type (float32 unless the Genie config
 * says otherwise). This is the seed's step 7; with float32 output and a per-tensor uint8 vision
 * output, the bytes equal numpy's {@code np.concatenate([(q.astype(np.float32) + offset) * scale,
 * text], axis=1).tofile(...)}.
 *
 * <p>Nothing is computed up front: {@link #writeTo(OutputStream)} and {@link #writeTo(ByteBuffer)}
 * dequantize, splice and encode straight into the destination in one pass, a block of
 * consecutive rows at a time, with no more scratch than one 64 KiB chunk. Immutable; each write
 * may run on any thread.
 */
public final class CombinedEmbeddings {
    /** Bytes handed to an {@link OutputStream} per write call, rounded down to whole rows. */
    private static final int CHUNK_BYTES = 1 << 16;

    private final List<Piece> pieces;
    private final RowEncoder encoder;
    private final int rows;
    private final int width;

    private CombinedEmbeddings(List<Piece> pieces, RowEncoder encoder, int width) {
        this.pieces = List.copyOf(pieces);
        this.encoder = encoder;
        this.width = width;
        this.rows = pieces.stream().mapToInt(p -> p.end - p.start).sum();
    }

    /**
     * A builder with the vision rows (if any) first and float32 output.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return rows in the sequence: vision tokens (if any) plus text tokens} */
    public int rows() {
        return rows;
    }

    /** {@return elements per row} */
    public int width() {
        return width;
    }

    /**
     * The element type written.
     *
     * @return the element type each row is encoded in, float32 unless {@link Builder#output} chose another
     */
    public QnnDataType outputType() {
        return encoder.type();
    }

    /**
     * Exactly the number of bytes every {@code writeTo} writes.
     *
     * @return {@link #rows()} times {@link #width()} times the element width
     */
    public long byteSize() {
        return (long) rows * rowBytes();
    }

    /**
     * The rows from {@code firstRow} on: what a decoder that already holds the first rows in its
     * context still needs. Shares this sequence's sources; nothing is copied.
     *
     * @param firstRow the first row kept, in {@code [0, rows()]}
     * @return rows {@code [firstRow, rows())} in the same element type
     * @throws IllegalArgumentException when {@code firstRow} is outside {@code [0, rows()]}
     */
    public CombinedEmbeddings from(int firstRow) {
        if (firstRow < 0 || firstRow > rows) {
            throw new IllegalArgumentException("first row " + firstRow + " outside [0, " + rows + "]");
        }
        List<Piece> kept = new ArrayList<>(pieces.size());
        int skip = firstRow;
        for (Piece piece : pieces) {
            int length = piece.end - piece.start;
            if (skip >= length) {
                skip -= length;
                continue;
            }
            kept.add(new Piece(piece.rows, piece.start + skip, piece.end));
            skip = 0;
        }
        return new CombinedEmbeddings(kept, encoder, width);
    }

    /**
     * Writes the sequence to {@code out} in chunks of whole rows; matches
     * {@link dev.fastvlm.transport.ContentWriter}, so {@code c::writeTo} can feed a device push.
     *
     * @param out the stream to write to; not closed
     * @throws IOException when {@code out} fails
     */
    public void writeTo(OutputStream out) throws IOException {
        int rowBytes = rowBytes();
        byte[] chunk = new byte[Math.max(rowBytes, CHUNK_BYTES / rowBytes * rowBytes)];
        ByteBuffer buffer = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        float[] scratch = new float[width];
        for (Piece piece : pieces) {
            for (int r = piece.start; r < piece.end; ) {
                if (buffer.remaining() < rowBytes) {
                    out.write(chunk, 0, buffer.position());
                    ((java.nio.Buffer) buffer).clear();
                }
                int n = Math.min(piece.end - r, buffer.remaining() / rowBytes);
                encoder.encode(piece.rows, r, r + n, buffer, scratch);
                r += n;
            }
        }
        if (buffer.position() > 0) {
            out.write(chunk, 0, buffer.position());
        }
    }

    /**
     * Writes the sequence at {@code dst}'s position (little-endian whatever its order), advancing
     * the position by {@link #byteSize()}.
     *
     * @param dst the buffer to fill; its byte order is ignored
     * @throws java.nio.BufferOverflowException if fewer than {@link #byteSize()} bytes remain
     */
    public void writeTo(ByteBuffer dst) {
        if (dst.remaining() < byteSize()) {
            throw new java.nio.BufferOverflowException();
        }
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        float[] scratch = new float[width];
        for (Piece piece : pieces) {
            encoder.encode(piece.rows, piece.start, piece.end, out, scratch);
        }
        ((java.nio.Buffer) dst).position(out.position());
    }

    /**
     * Writes the sequence to {@code file}, atomically (temporary file, then move).
     *
     * @param file the file to write; its parent folders are created
     * @throws dev.fastvlm.FastVlmException when the file cannot be written; no partial file is left
     */
    public void writeTo(Path file) {
        RawTensors.writeAtomically(file, this::writeTo);
    }

    private int rowBytes() {
        return width * encoder.type().bytes();
    }

    @Override
    public String toString() {
        return "CombinedEmbeddings[" + rows + " x " + width + " " + encoder.type().qnnName() + "]";
    }

    /** Rows {@code [start, end)} of one source. */
    private record Piece(Rows rows, int start, int end) {
    }

    /** Collects the parts of a combined sequence; {@link #build()} checks that they fit together. */
    public static final class Builder {
        private VisionEmbeddings vision;
        private TextEmbeddings text;
        private ImageLayout layout = ImageLayout.PREPEND;
        private int imageIndex;
        private QnnDataType outputType = QnnDataType.FLOAT_32;
        private Optional<Quantization> outputQuantization = Optional.empty();

        private Builder() {
        }

        /**
         * The vision encoder's rows; when not set, the sequence is the text rows alone (a prompt
         * without an image) and the layout is ignored.
         *
         * @param vision the rows
         * @return this builder
         * @throws NullPointerException when {@code vision} is null
         */
        public Builder vision(VisionEmbeddings vision) {
            this.vision = Objects.requireNonNull(vision, "vision");
            return this;
        }

        /**
         * The prompt's text rows. Required.
         *
         * @param text the rows
         * @return this builder
         * @throws NullPointerException when {@code text} is null
         */
        public Builder text(TextEmbeddings text) {
            this.text = Objects.requireNonNull(text, "text");
            return this;
        }

        /**
         * All vision rows, then all text rows: the seed's layout and the default.
         *
         * @return this builder
         */
        public Builder prepend() {
            this.layout = ImageLayout.PREPEND;
            this.imageIndex = 0;
            return this;
        }

        /**
         * Text rows {@code [0, imageIndex)}, the vision rows, then the remaining text rows:
         * the vision rows take the place of the {@code <image>} placeholder.
         *
         * @param imageIndex the number of text rows before the image, 0 to the number of text rows
         * @return this builder
         */
        public Builder placeholder(int imageIndex) {
            this.layout = ImageLayout.PLACEHOLDER;
            this.imageIndex = imageIndex;
            return this;
        }

        /**
         * {@link #prepend()} or {@link #placeholder(int)}; {@code imageIndex} is ignored for PREPEND.
         *
         * @param layout where the vision rows go
         * @param imageIndex the number of text rows before the image, for {@link ImageLayout#PLACEHOLDER}
         * @return this builder
         * @throws NullPointerException when {@code layout} is null
         */
        public Builder layout(ImageLayout layout, int imageIndex) {
            return Objects.requireNonNull(layout, "layout") == ImageLayout.PREPEND ? prepend() : placeholder(imageIndex);
        }

        /**
         * The decoder's embedding type: FLOAT_32 (default), FLOAT_16, or a fixed-point type with the
         * decoder's per-tensor quant-param.
         *
         * @param type the element type to write
         * @param quantization the scale and offset, present exactly for a fixed-point {@code type}
         * @return this builder
         * @throws IllegalArgumentException when {@code type} cannot be written or its quantization is wrong
         */
        public Builder output(QnnDataType type, Optional<Quantization> quantization) {
            RowEncoder.of(type, quantization);
            this.outputType = type;
            this.outputQuantization = quantization;
            return this;
        }

        /**
         * Checks that the parts fit together and creates the sequence (no rows are computed yet).
         *
         * @return the combined sequence
         * @throws ModelArtifactException if vision and text rows differ in width
         * @throws InvalidInputException  if the placeholder index is outside the text rows
         * @throws NullPointerException when the text rows are missing
         */
        public CombinedEmbeddings build() {
            Objects.requireNonNull(text, "text embeddings are required");
            RowEncoder encoder = RowEncoder.of(outputType, outputQuantization);
            if (vision == null) {
                Rows textRows = text.rowsView();
                return new CombinedEmbeddings(List.of(new Piece(textRows, 0, textRows.count())), encoder, text.width());
            }
            if (vision.width() != text.width()) {
                throw new ModelArtifactException("embedding widths differ: " + vision.source() + " has rows of "
                        + vision.width() + ", " + text.source() + " has rows of " + text.width());
            }
            Rows visionRows = vision.rowsView();
            Rows textRows = text.rowsView();
            List<Piece> pieces = new ArrayList<>(3);
            if (layout == ImageLayout.PREPEND) {
                pieces.add(new Piece(visionRows, 0, visionRows.count()));
                pieces.add(new Piece(textRows, 0, textRows.count()));
            } else {
                if (imageIndex < 0 || imageIndex > textRows.count()) {
                    throw new InvalidInputException("image index " + imageIndex + " is outside the "
                            + textRows.count() + " text tokens (0.." + textRows.count() + ")");
                }
                pieces.add(new Piece(textRows, 0, imageIndex));
                pieces.add(new Piece(visionRows, 0, visionRows.count()));
                pieces.add(new Piece(textRows, imageIndex, textRows.count()));
            }
            return new CombinedEmbeddings(pieces, encoder, vision.width());
        }
    }
}

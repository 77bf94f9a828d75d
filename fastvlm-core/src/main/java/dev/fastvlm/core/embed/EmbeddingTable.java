package dev.fastvlm.core.embed;

import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.tensor.Dequantizer;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * The decoder's token embedding table ({@code LUT.bin}): a headerless row-major
 * {@code [n_vocab, width]} array of float32, fp16 or fixed-point elements. The file is memory
 * mapped, never read into the heap (FastVLM's float32 table is about 545 MB); gathering rows
 * touches only their pages. Immutable and thread-safe.
 */
public final class EmbeddingTable {
    /** Mappings are limited to 2 GiB; larger tables are mapped in parts of whole rows. */
    private static final long MAX_SEGMENT_BYTES = Integer.MAX_VALUE;

    private final Path file;
    private final int rows;
    private final int width;
    private final ByteBuffer[] segments;
    private final int rowsPerSegment;
    private final Dequantizer dequantizer;

    private EmbeddingTable(Path file, int rows, int width, ByteBuffer[] segments, int rowsPerSegment,
                           Dequantizer dequantizer) {
        this.file = file;
        this.rows = rows;
        this.width = width;
        this.segments = segments;
        this.rowsPerSegment = rowsPerSegment;
        this.dequantizer = dequantizer;
    }

    /**
     * Maps {@code lut}, a table of rows of {@code width} elements of {@code type}.
     *
     * @param quantization present exactly when {@code type} is fixed-point
     * @param lut the table file
     * @param width elements per row, &gt; 0
     * @param type the element type of the file
     * @return the mapped table
     * @throws ModelArtifactException if the file is missing, unreadable or not a whole number of rows
     * @throws IllegalArgumentException when {@code width} is not positive
     */
    public static EmbeddingTable open(Path lut, int width, QnnDataType type, Optional<Quantization> quantization) {
        if (width <= 0) {
            throw new IllegalArgumentException("embedding width must be > 0, was " + width);
        }
        long rowBytes = (long) width * type.bytes();
        try (FileChannel channel = FileChannel.open(lut, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0 || size % rowBytes != 0) {
                throw new ModelArtifactException("LUT " + lut + " is " + size + " bytes, not a whole number of rows of "
                        + width + " x " + type.qnnName() + " (" + rowBytes + " bytes each): " + size / rowBytes
                        + " rows and " + size % rowBytes + " bytes left over");
            }
            if (size / rowBytes > Integer.MAX_VALUE) {
                throw new ModelArtifactException("LUT " + lut + " has " + size / rowBytes + " rows, more than token ids can address");
            }
            int rows = (int) (size / rowBytes);
            int rowsPerSegment = (int) Math.min(rows, MAX_SEGMENT_BYTES / rowBytes);
            ByteBuffer[] segments = new ByteBuffer[(rows + rowsPerSegment - 1) / rowsPerSegment];
            for (int s = 0; s < segments.length; s++) {
                long first = (long) s * rowsPerSegment;
                long count = Math.min(rowsPerSegment, rows - first);
                segments[s] = channel.map(FileChannel.MapMode.READ_ONLY, first * rowBytes, count * rowBytes)
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            Dequantizer dequantizer = Dequantizer.of(new TensorSpec(lut.getFileName().toString(), type,
                    List.of(rows, width), quantization));
            return new EmbeddingTable(lut, rows, width, segments, rowsPerSegment, dequantizer);
        } catch (NoSuchFileException e) {
            throw new ModelArtifactException("LUT " + lut + " does not exist", e);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read LUT " + lut + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new ModelArtifactException("LUT " + lut + ": " + e.getMessage(), e);
        }
    }

    /** {@return number of rows: the vocabulary size} */
    public int rows() {
        return rows;
    }

    /** {@return elements per row: the embedding width} */
    public int width() {
        return width;
    }

    /** {@return the element type of the table} */
    public QnnDataType type() {
        return dequantizer.type();
    }

    /** {@return the mapped file} */
    public Path file() {
        return file;
    }

    /**
     * The rows of {@code tokenIds}, in order: what the device's text embedder returns for the
     * same ids. The rows are read when written, so a gather costs only the id check.
     *
     * @param tokenIds the prompt's token ids; copied
     * @return the rows, read from the table when written
     * @throws InvalidInputException if an id is negative or not below {@link #rows()}
     */
    public TextEmbeddings gather(int[] tokenIds) {
        int[] ids = tokenIds.clone();
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= rows) {
                throw new InvalidInputException("token id " + ids[i] + " at position " + i + " is outside LUT " + file
                        + ", which has " + rows + " rows (ids 0.." + (rows - 1) + ")");
            }
        }
        return new TextEmbeddings(Rows.picked(segments, rowsPerSegment, ids, width, dequantizer),
                "LUT " + file);
    }

    /**
     * Copies token {@code tokenId}'s row as stored (raw elements, no conversion) to {@code dst}'s
     * position, advancing it: what Genie's token-to-embedding callback hands the decoder.
     *
     * @param tokenId the token's id
     * @param dst the buffer the row goes to
     * @throws InvalidInputException if the id is outside the table
     * @throws java.nio.BufferOverflowException if {@code dst} has less room than one row
     */
    public void copyRow(int tokenId, ByteBuffer dst) {
        if (tokenId < 0 || tokenId >= rows) {
            throw new InvalidInputException("token id " + tokenId + " is outside LUT " + file + ", which has " + rows
                    + " rows (ids 0.." + (rows - 1) + ")");
        }
        int rowBytes = width * dequantizer.type().bytes();
        ByteBuffer segment = segments[tokenId / rowsPerSegment];
        int offset = (tokenId % rowsPerSegment) * rowBytes;
        dst.put(segment.slice(offset, rowBytes));
    }

    @Override
    public String toString() {
        return "EmbeddingTable[" + file + ", " + rows + " x " + width + " " + dequantizer.type().qnnName() + "]";
    }
}

package dev.fastvlm.bundle;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.bundle.safetensors.Dtype;
import dev.fastvlm.bundle.safetensors.SafetensorsFile;
import dev.fastvlm.bundle.safetensors.TensorEntry;
import dev.fastvlm.core.tensor.Float16;
import dev.fastvlm.core.tensor.RawTensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes {@code LUT.bin}: the token embedding table as headerless row-major little-endian float32
 * (what {@code genie-t2t-run --embedding_table} and the host's text rows read), from a BF16, F16 or
 * F32 tensor. Rows stream from a memory map through a buffer of {@value #CHUNK_BYTES} bytes: the
 * table is never on the heap. BF16 becomes float32 by its bits shifted up 16; F16 by IEEE's
 * widening, exact for every value (subnormals, infinities, NaN).
 */
final class EmbeddingTableWriter {
    static final int CHUNK_BYTES = 1 << 20;

    private EmbeddingTableWriter() {
    }

    /**
     * Writes {@code tensor} of {@code file} to {@code target} as float32 (atomically).
     *
     * @return bytes written
     */
    static long write(SafetensorsFile file, TensorEntry tensor, Path target, Progress progress) {
        return write(file, tensor, target, progress, CHUNK_BYTES);
    }

    /** As {@link #write(SafetensorsFile, TensorEntry, Path, Progress)}, reading about {@code chunkBytes} at a time. */
    static long write(SafetensorsFile file, TensorEntry tensor, Path target, Progress progress, int chunkBytes) {
        Dtype dtype = tensor.dtype();
        if (dtype != Dtype.F32 && dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new ModelArtifactException(tensor.file() + ": " + tensor.name() + " is " + dtype
                    + "; the embedding table must be BF16, F16 or F32");
        }
        if (tensor.shape().size() != 2) {
            throw new ModelArtifactException(tensor.file() + ": " + tensor.name() + " has shape " + tensor.shape()
                    + "; the embedding table must be [vocab, hidden]");
        }
        long rows = tensor.shape().get(0);
        long rowBytes = tensor.shape().get(1) * dtype.bytes();
        long rowsPerChunk = Math.max(1, chunkBytes / Math.max(1, rowBytes));
        long outBytes = tensor.elements() * Float.BYTES;
        RawTensors.writeAtomically(target, out -> {
            byte[] chunk = new byte[(int) (rowsPerChunk * tensor.shape().get(1) * Float.BYTES)];
            ByteBuffer floats = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
            for (long row = 0; row < rows; row += rowsPerChunk) {
                long n = Math.min(rowsPerChunk, rows - row);
                ByteBuffer in = file.map(tensor, row * rowBytes, (int) (n * rowBytes));
                floats.clear();
                while (in.hasRemaining()) {
                    floats.putInt(switch (dtype) {
                        case F32 -> in.getInt();
                        case BF16 -> (in.getShort() & 0xFFFF) << 16;
                        default -> Float16.toFloatBits(in.getShort());
                    });
                }
                out.write(chunk, 0, floats.position());
                progress.update(target.getFileName().toString(), row + n, rows);
            }
        });
        return outBytes;
    }
}

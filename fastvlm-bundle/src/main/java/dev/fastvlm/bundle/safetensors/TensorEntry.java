package dev.fastvlm.bundle.safetensors;

import java.nio.file.Path;
import java.util.List;

/**
 * One tensor of a safetensors file, as its header describes it, checked.
 *
 * @param file  the file that holds it
 * @param name  the tensor's name
 * @param dtype its element type
 * @param shape its dimensions (empty for a scalar)
 * @param begin first byte, counted from the start of the file's byte buffer
 * @param end   one past the last byte, counted the same way
 */
public record TensorEntry(Path file, String name, Dtype dtype, List<Long> shape, long begin, long end) {
    /**
     * Copies the shape.
     *
     * @param file  the file that holds it
     * @param name  the tensor's name
     * @param dtype its element type
     * @param shape its dimensions
     * @param begin first byte in the byte buffer
     * @param end   one past the last byte
     */
    public TensorEntry {
        shape = List.copyOf(shape);
    }

    /** {@return the number of bytes the tensor holds} */
    public long byteSize() {
        return end - begin;
    }

    /** {@return the number of elements: the product of the shape, 1 for a scalar} */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }
}

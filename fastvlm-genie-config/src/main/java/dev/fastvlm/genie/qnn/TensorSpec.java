package dev.fastvlm.genie.qnn;

import java.util.List;
import java.util.Optional;

/**
 * One input or output tensor of a QNN graph: its name, data type, dimensions and, for fixed-point
 * types, its quantization.
 *
 * @param name         the tensor's name (also the stem of {@code qnn-net-run}'s output file)
 * @param dataType     its element type
 * @param dimensions   its shape, outermost first
 * @param quantization present exactly when {@code dataType} is fixed-point
 */
public record TensorSpec(String name, QnnDataType dataType, List<Integer> dimensions,
                         Optional<Quantization> quantization) {

    /**
     * Checks the fields and copies the dimensions.
     *
     * @param name the tensor's name (also the stem of {@code qnn-net-run}'s output file)
     * @param dataType its element type
     * @param dimensions its shape, outermost first
     * @param quantization present exactly when {@code dataType} is fixed-point
     * @throws IllegalArgumentException when the name is blank, the type missing, a dimension not positive, or
     *     quantization given for a non-fixed-point type (or missing for a fixed-point one)
     */
    public TensorSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tensor name must not be blank");
        }
        if (dataType == null) {
            throw new IllegalArgumentException("tensor " + name + ": data type is required");
        }
        dimensions = List.copyOf(dimensions);
        if (dimensions.isEmpty() || dimensions.stream().anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("tensor " + name + ": dimensions must be positive, were " + dimensions);
        }
        if (dataType.quantized() != quantization.isPresent()) {
            throw new IllegalArgumentException("tensor " + name + ": " + dataType.qnnName()
                    + (dataType.quantized() ? " needs quantization parameters" : " takes no quantization parameters"));
        }
    }

    /**
     * Number of elements.
     *
     * @return the product of the dimensions
     * @throws ArithmeticException when the product overflows a {@code long}
     */
    public long elementCount() {
        long count = 1;
        for (int d : dimensions) {
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    /**
     * Size of the tensor's raw (native) file in bytes.
     *
     * @return the element count times the element width
     * @throws ArithmeticException when the product overflows a {@code long}
     */
    public long byteSize() {
        return Math.multiplyExact(elementCount(), dataType.bytes());
    }

    /**
     * The innermost dimension (an embedding's width, for [1, tokens, width] tensors).
     *
     * @return the last dimension
     */
    public int innermost() {
        return dimensions.get(dimensions.size() - 1);
    }

    /**
     * Elements per innermost row: for an embedding tensor {@code [1, tokens, width]} the number of
     * tokens.
     *
     * @return the element count divided by the last dimension
     */
    public long rows() {
        return elementCount() / innermost();
    }

    /**
     * The file {@code qnn-net-run --use_native_output_files} writes for this tensor.
     *
     * @return {@code <name>.raw} for float32 tensors, {@code <name>_native.raw} for the others
     */
    public String nativeOutputFileName() {
        return dataType == QnnDataType.FLOAT_32 ? name + ".raw" : name + "_native.raw";
    }
}

package dev.fastvlm.core.embed;

import dev.fastvlm.core.tensor.Dequantizer;
import dev.fastvlm.core.tensor.RawTensors;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The vision encoder's output, e.g. {@code image_features_native.raw}: rows of the innermost
 * dimension of its {@link TensorSpec}, in the stored type (typically UFIXED_POINT_8 with a
 * scale and offset). Dequantized only when written. Immutable.
 */
public final class VisionEmbeddings {
    private final Rows rows;
    private final String source;

    private VisionEmbeddings(Rows rows, String source) {
        this.rows = rows;
        this.source = source;
    }

    /**
     * The output file {@code file}, described by {@code spec}; mapped, not read.
     *
     * @param file the encoder's output file
     * @param spec the output tensor's shape, type and quantization
     * @return the rows, still in their stored type
     * @throws dev.fastvlm.ModelArtifactException if the file's size is not what {@code spec} declares
     */
    public static VisionEmbeddings of(Path file, TensorSpec spec) {
        return of(RawTensors.map(file, "vision output"), spec, "vision output " + file);
    }

    /**
     * The output held in {@code data} (from its position, little-endian), described by {@code spec}.
     *
     * @param source names the data in messages, e.g. its file
     * @param data the encoder's output
     * @param spec the output tensor's shape, type and quantization
     * @return the rows, still in their stored type
     * @throws dev.fastvlm.ModelArtifactException when the data's size is not what {@code spec} declares
     */
    public static VisionEmbeddings of(ByteBuffer data, TensorSpec spec, String source) {
        Shapes.checkSize(data, spec, source);
        int width = spec.innermost();
        return new VisionEmbeddings(Rows.leading(data.slice().order(ByteOrder.LITTLE_ENDIAN),
                (int) (spec.elementCount() / width), width, Dequantizer.of(spec)), source);
    }

    /** {@return number of rows (vision tokens)} */
    public int rows() {
        return rows.count();
    }

    /** {@return elements per row} */
    public int width() {
        return rows.width();
    }

    /**
     * Row {@code r} dequantized to float32.
     *
     * @param r a row index, 0 to {@link #rows()} - 1
     * @return a new array of {@link #width()} floats
     */
    public float[] row(int r) {
        return rows.row(r);
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
        return "VisionEmbeddings[" + rows() + " x " + width() + " from " + source + "]";
    }
}

package dev.fastvlm.core.tensor;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Turns a tensor's stored elements into float32 with QNN's convention
 * {@code float = (q + offset) * scale}, bit for bit what the seed's numpy computes:
 * {@code (q.astype(np.float32) + float(offset)) * float(scale)}, an add and a multiply each
 * rounded to float32 (Java never fuses them). FLOAT_16 widens exactly; FLOAT_32 passes through.
 *
 * <p>Immutable and thread-safe. Sources are read in little-endian order, whatever their
 * buffer's own order.
 */
public final class Dequantizer {
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Elements per block when a source or destination has no accessible array (4 KiB of bytes in, 16 KiB out). */
    private static final int SCRATCH_ELEMENTS = 4096;
    /**
     * Whether the 8-bit kernels run in SIMD lanes ({@link VectorDequantize8}): only when the JVM
     * was started with {@code --add-modules jdk.incubator.vector}, checked before the class is touched.
     */
    private static final boolean VECTOR =
            VectorModule.present() && VectorDequantize8.useful();

    static {
        Logger log = LoggerFactory.getLogger(Dequantizer.class);
        if (VECTOR) {
            log.debug("8-bit dequantization runs in SIMD lanes (jdk.incubator.vector)");
        } else {
            log.debug("8-bit dequantization runs scalar; start the JVM with --add-modules jdk.incubator.vector"
                    + " for the SIMD kernel");
        }
    }

    private final QnnDataType type;
    private final float scale;
    private final float offset;
    /** Per-axis parameters; null for a per-tensor or floating-point tensor. */
    private final float[] scales;
    private final float[] offsets;
    /** Elements between consecutive indices of the quantization axis. */
    private final long axisStride;
    /**
     * For 8-bit per-tensor types: the float32 bits of all 256 values, indexed by the unsigned
     * byte. Computed with the same float32 add and multiply, so a lookup is bit-identical and
     * turns the hot loop into loads and stores.
     */
    private final int[] table8;

    private Dequantizer(QnnDataType type, float scale, float offset, float[] scales, float[] offsets,
                        long axisStride) {
        this.type = type;
        this.scale = scale;
        this.offset = offset;
        this.scales = scales;
        this.offsets = offsets;
        this.axisStride = axisStride;
        this.table8 = scales == null && type.quantized() && type.bytes() == 1 ? table8(type, scale, offset) : null;
    }

    private static int[] table8(QnnDataType type, float scale, float offset) {
        int[] table = new int[256];
        for (int b = 0; b < 256; b++) {
            int q = type.signed() ? (byte) b : b;
            table[b] = Float.floatToRawIntBits(((float) q + offset) * scale);
        }
        return table;
    }

    /**
     * The dequantizer for {@code spec}'s type, quantization and (for per-axis encodings) shape.
     *
     * @param spec the tensor's name, type, shape and quantization
     * @return a dequantizer; float tensors are converted without scaling
     * @throws dev.fastvlm.ModelArtifactException when the type is an integer type, or a per-axis encoding does not
     *     match the shape
     */
    public static Dequantizer of(TensorSpec spec) {
        QnnDataType type = spec.dataType();
        if (type.floatingPoint()) {
            return new Dequantizer(type, 1f, 0f, null, null, 1);
        }
        if (!type.quantized()) {
            throw new ModelArtifactException("tensor " + spec.name() + ": cannot convert " + type.qnnName()
                    + " to float32; expected a fixed-point or floating-point type");
        }
        Quantization quantization = spec.quantization().orElseThrow();
        if (quantization instanceof Quantization.PerTensor perTensor) {
            return new Dequantizer(type, perTensor.scale(), perTensor.offset(), null, null, 1);
        }
        Quantization.PerAxis perAxis = (Quantization.PerAxis) quantization;
        List<Integer> dims = spec.dimensions();
        if (perAxis.axis() >= dims.size() || dims.get(perAxis.axis()) != perAxis.channels()) {
            throw new ModelArtifactException("tensor " + spec.name() + ": per-axis quantization along axis "
                    + perAxis.axis() + " has " + perAxis.channels() + " channels, but the dimensions are " + dims);
        }
        long stride = 1;
        for (int i = perAxis.axis() + 1; i < dims.size(); i++) {
            stride *= dims.get(i);
        }
        float[] offsets = new float[perAxis.channels()];
        for (int c = 0; c < offsets.length; c++) {
            offsets[c] = perAxis.offset(c);
        }
        return new Dequantizer(type, 0f, 0f, perAxis.scales(), offsets, stride);
    }

    /** Whether the 8-bit kernels run in SIMD lanes in this JVM. */
    static boolean vectorized() {
        return VECTOR;
    }

    /** {@return the element type this dequantizer reads} */
    public QnnDataType type() {
        return type;
    }

    /**
     * Dequantizes {@code count} elements stored from byte {@code index} of {@code src} into
     * {@code dst[dstOffset..]}.
     *
     * @param firstElement the position of the first of them in the whole tensor (row-major), which
     *                     picks the channel of per-axis encodings
     * @param src the stored elements, read as little-endian whatever its byte order
     * @param index byte offset of the first element in {@code src}
     * @param dst where the float values go
     * @param dstOffset index in {@code dst} of the first value
     * @param count number of elements
     */
    public void dequantize(ByteBuffer src, int index, long firstElement, float[] dst, int dstOffset, int count) {
        ByteBuffer in = src.order() == ByteOrder.LITTLE_ENDIAN ? src : src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case FLOAT_32 -> in.slice(index, 4 * count).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer()
                    .get(dst, dstOffset, count);
            case FLOAT_16 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.intBitsToFloat(Float16.toFloatBits(in.getShort(index + 2 * i)));
                }
            }
            case UFIXED_POINT_8, SFIXED_POINT_8 -> dequantize8(in, index, firstElement, dst, dstOffset, count);
            default -> dequantize16(in, index, firstElement, dst, dstOffset, count);
        }
    }

    /**
     * Dequantizes {@code count} elements stored from byte {@code index} of {@code src} and writes
     * them as little-endian float32 from byte {@code dstIndex} of {@code dst}, without moving
     * either buffer's position. The fast path of the combined embeddings.
     *
     * @param src the stored elements, read as little-endian whatever its byte order
     * @param index byte offset of the first element in {@code src}
     * @param firstElement the position of the first of them in the whole tensor (row-major), which picks the channel
     *     of per-axis encodings
     * @param dst where the float32 values go
     * @param dstIndex byte offset in {@code dst} of the first value
     * @param count number of elements
     */
    public void dequantizeToFloat32(ByteBuffer src, int index, long firstElement, ByteBuffer dst, int dstIndex,
                                    int count) {
        ByteBuffer in = src.order() == ByteOrder.LITTLE_ENDIAN ? src : src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer out = dst.order() == ByteOrder.LITTLE_ENDIAN ? dst : dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (table8 != null) {
            lookup8(in, index, out, dstIndex, count);
        } else if (type == QnnDataType.FLOAT_32) {
            out.slice(dstIndex, 4 * count).put(in.slice(index, 4 * count));
        } else {
            float[] values = new float[Math.min(count, 1024)];
            for (int done = 0; done < count; done += values.length) {
                int n = Math.min(values.length, count - done);
                dequantize(in, index + done * type.bytes(), firstElement + done, values, 0, n);
                out.slice(dstIndex + 4 * done, 4 * n).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(values, 0, n);
            }
        }
    }

    private void lookup8(ByteBuffer in, int index, ByteBuffer out, int dstIndex, int count) {
        if (in.hasArray() && out.hasArray()) {
            lookup8(in.array(), in.arrayOffset() + index, out.array(), out.arrayOffset() + dstIndex, count);
            return;
        }
        // Loops over arrays with VarHandle views are what C2 compiles best: a buffer without an
        // accessible array (a mapped file, a direct buffer) goes through scratch arrays in blocks
        // small enough to stay in the L1 cache.
        int block = Math.min(count, SCRATCH_ELEMENTS);
        byte[] q = in.hasArray() ? null : new byte[block];
        byte[] bytes = out.hasArray() ? null : new byte[4 * block];
        for (int done = 0; done < count; done += block) {
            int n = Math.min(block, count - done);
            byte[] src;
            int srcOffset;
            if (q == null) {
                src = in.array();
                srcOffset = in.arrayOffset() + index + done;
            } else {
                in.slice(index + done, n).get(q, 0, n);
                src = q;
                srcOffset = 0;
            }
            if (bytes == null) {
                lookup8(src, srcOffset, out.array(), out.arrayOffset() + dstIndex + 4 * done, n);
            } else {
                lookup8(src, srcOffset, bytes, 0, n);
                out.slice(dstIndex + 4 * done, 4 * n).put(bytes, 0, 4 * n);
            }
        }
    }

    private void lookup8(byte[] q, int qOffset, byte[] out, int outOffset, int count) {
        int[] t = table8;
        int i = VECTOR ? VectorDequantize8.toFloat32Bytes(q, qOffset, out, outOffset, count, type.signed(), offset,
                scale) : 0;
        // Eight source bytes per load; the table entries are the finished little-endian words,
        // so the loop is loads, shifts and stores with no floating point in it.
        for (int end = count - 7; i < end; i += 8) {
            long v = (long) LONG_LE.get(q, qOffset + i);
            int o = outOffset + 4 * i;
            INT_LE.set(out, o, t[(int) v & 0xff]);
            INT_LE.set(out, o + 4, t[(int) (v >>> 8) & 0xff]);
            INT_LE.set(out, o + 8, t[(int) (v >>> 16) & 0xff]);
            INT_LE.set(out, o + 12, t[(int) (v >>> 24) & 0xff]);
            INT_LE.set(out, o + 16, t[(int) (v >>> 32) & 0xff]);
            INT_LE.set(out, o + 20, t[(int) (v >>> 40) & 0xff]);
            INT_LE.set(out, o + 24, t[(int) (v >>> 48) & 0xff]);
            INT_LE.set(out, o + 28, t[(int) (v >>> 56)]);
        }
        for (; i < count; i++) {
            INT_LE.set(out, outOffset + 4 * i, t[q[qOffset + i] & 0xff]);
        }
    }

    private void dequantize8(ByteBuffer in, int index, long firstElement, float[] dst, int dstOffset, int count) {
        if (table8 != null) {
            int[] t = table8;
            if (in.hasArray()) {
                byte[] q = in.array();
                int qOffset = in.arrayOffset() + index;
                int i = VECTOR ? VectorDequantize8.toFloats(q, qOffset, dst, dstOffset, count, type.signed(), offset,
                        scale) : 0;
                for (; i < count; i++) {
                    dst[dstOffset + i] = Float.intBitsToFloat(t[q[qOffset + i] & 0xff]);
                }
            } else {
                for (int i = 0; i < count; i++) {
                    dst[dstOffset + i] = Float.intBitsToFloat(t[in.get(index + i) & 0xff]);
                }
            }
            return;
        }
        int mask = type.signed() ? -1 : 0xff;
        for (int i = 0; i < count; i++) {
            int c = channel(firstElement + i);
            dst[dstOffset + i] = ((float) (in.get(index + i) & mask) + offsets[c]) * scales[c];
        }
    }

    private void dequantize16(ByteBuffer in, int index, long firstElement, float[] dst, int dstOffset, int count) {
        int mask = type.signed() ? -1 : 0xffff;
        for (int i = 0; i < count; i++) {
            float q = in.getShort(index + 2 * i) & mask;
            if (scales == null) {
                dst[dstOffset + i] = (q + offset) * scale;
            } else {
                int c = channel(firstElement + i);
                dst[dstOffset + i] = (q + offsets[c]) * scales[c];
            }
        }
    }

    private int channel(long element) {
        return (int) ((element / axisStride) % scales.length);
    }
}

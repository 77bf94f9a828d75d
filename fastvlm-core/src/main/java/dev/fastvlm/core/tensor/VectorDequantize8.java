package dev.fastvlm.core.tensor;

import dev.fastvlm.core.DesktopOnly;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.nio.ByteOrder;

/**
 * The 8-bit per-tensor dequantization in SIMD lanes through the Vector API (JDK 17's incubator
 * module {@code jdk.incubator.vector}). Each lane computes {@code ((float) q + offset) * scale}
 * with IEEE float32 rounding after the add and after the multiply, like the scalar code and
 * numpy, so the bits are the same.
 *
 * <p>Only {@link Dequantizer} calls this class, and only when the running JVM has the module
 * (it was started with {@code --add-modules jdk.incubator.vector}); without the module, loading
 * this class would fail, so nothing else may refer to it.
 */
@DesktopOnly("jdk.incubator.vector: the JDK's incubating Vector API")
final class VectorDequantize8 {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_PREFERRED;
    /** At least eight bytes per load (the narrowest byte vector), one per float lane. */
    private static final VectorSpecies<Byte> BYTES =
            ByteVector.SPECIES_64.length() >= FLOATS.length() ? ByteVector.SPECIES_64
                    : VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * FLOATS.length()));
    private static final int LANES = FLOATS.length();
    /** Float vectors per step: 1, unless the float vectors are narrower than eight lanes. */
    private static final int PARTS = BYTES.length() / LANES;
    private static final int STEP = PARTS * LANES;
    /**
     * Source bytes a step touches: each part loads a whole byte vector from its first element, so
     * the last part's load reaches past the step (with 128-bit vectors, 8 bytes from element 4).
     */
    private static final int LOAD_SPAN = (PARTS - 1) * LANES + BYTES.length();

    private VectorDequantize8() {
    }

    /** Whether the preferred vectors are wide enough to gain anything (at least four floats). */
    static boolean useful() {
        return LANES >= 4 && INTS.length() == LANES;
    }

    /**
     * Writes the leading elements of {@code q[qOffset..qOffset+count)} as little-endian float32 bytes
     * from {@code out[outOffset]}, a whole vector at a time.
     *
     * @return how many elements it wrote; the caller finishes the rest (fewer than {@code LOAD_SPAN}: 8 with
     *         256-bit vectors, 12 with 128-bit ones)
     */
    static int toFloat32Bytes(byte[] q, int qOffset, byte[] out, int outOffset, int count, boolean signed,
                              float offset, float scale) {
        int i = 0;
        for (int end = count - LOAD_SPAN; i <= end; i += STEP) {
            for (int p = 0; p < PARTS; p++) {
                lanes(q, qOffset + i + p * LANES, signed, offset, scale)
                        .intoByteArray(out, outOffset + 4 * (i + p * LANES), ByteOrder.LITTLE_ENDIAN);
            }
        }
        return i;
    }

    /** As {@link #toFloat32Bytes}, into a float array. */
    static int toFloats(byte[] q, int qOffset, float[] out, int outOffset, int count, boolean signed, float offset,
                        float scale) {
        int i = 0;
        for (int end = count - LOAD_SPAN; i <= end; i += STEP) {
            for (int p = 0; p < PARTS; p++) {
                lanes(q, qOffset + i + p * LANES, signed, offset, scale).intoArray(out, outOffset + i + p * LANES);
            }
        }
        return i;
    }

    /** Elements {@code q[from..from+LANES)} in float lanes. */
    private static FloatVector lanes(byte[] bytes, int from, boolean signed, float offset, float scale) {
        // Always the first part of a fresh load: JDK 17 compiles convertShape's part 0 to one
        // widening instruction, but any other part to a generic path about 10x slower.
        ByteVector b = ByteVector.fromArray(BYTES, bytes, from);
        // B2I sign-extends; an unsigned type masks the high bits back off.
        IntVector q = (IntVector) b.convertShape(VectorOperators.B2I, INTS, 0);
        if (!signed) {
            q = q.and(0xff);
        }
        return ((FloatVector) q.convert(VectorOperators.I2F, 0)).add(offset).mul(scale);
    }
}

package dev.fastvlm.core.tensor;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The SIMD kernel against the float32 formula element by element. Runs in the surefire execution
 * that starts the JVM with {@code --add-modules jdk.incubator.vector}; the default execution leaves
 * out the tests tagged {@code vector-api}, which need the module.
 */
class VectorDequantize8Test {
    private static final boolean MODULE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();

    @Test
    void dequantizerUsesTheVectorKernelExactlyWhenTheModuleIsPresent() {
        assertThat(Dequantizer.vectorized()).isEqualTo(MODULE);
    }

    @Test
    @Tag("vector-api")
    void everyByteGivesTheFloat32FormulasBitsInBothSignednesses() {
        assumeTrue(MODULE, "JVM started without --add-modules jdk.incubator.vector");
        SplittableRandom random = new SplittableRandom(7);
        float[][] parameters = {{-128, 0.0123456789f}, {0, 1f}, {37, 1e-3f}, {-32768, 3.0517578e-5f}, {5, -2.5f}};
        for (boolean signed : new boolean[] {false, true}) {
            for (float[] p : parameters) {
                float offset = p[0];
                float scale = p[1];
                for (int count : new int[] {0, 1, 7, 8, 9, 31, 64, 257, 1000}) {
                    int qOffset = random.nextInt(5);
                    int outOffset = random.nextInt(9);
                    byte[] q = new byte[qOffset + count + 3];
                    for (int i = 0; i < q.length; i++) {
                        // All 256 values in every long run, in a shuffled order.
                        q[i] = (byte) (i < 256 ? i : random.nextInt(256));
                    }
                    byte[] out = new byte[outOffset + 4 * count + 8];
                    float[] floats = new float[outOffset + count + 2];
                    int n = VectorDequantize8.toFloat32Bytes(q, qOffset, out, outOffset, count, signed, offset, scale);
                    int m = VectorDequantize8.toFloats(q, qOffset, floats, outOffset, count, signed, offset, scale);

                    // It leaves the caller fewer elements than one load span (at most 15, with 512-bit vectors).
                    assertThat(n).isEqualTo(m).isBetween(Math.max(0, count - 15), count);
                    ByteBuffer bytes = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < n; i++) {
                        int value = signed ? q[qOffset + i] : q[qOffset + i] & 0xff;
                        int want = Float.floatToRawIntBits(((float) value + offset) * scale);
                        assertThat(bytes.getInt(outOffset + 4 * i)).as("q=%d signed=%s", value, signed).isEqualTo(want);
                        assertThat(Float.floatToRawIntBits(floats[outOffset + i])).isEqualTo(want);
                    }
                    // Nothing outside the elements it reports.
                    for (int i = 0; i < outOffset; i++) {
                        assertThat(out[i]).isZero();
                    }
                    for (int i = outOffset + 4 * n; i < out.length; i++) {
                        assertThat(out[i]).isZero();
                    }
                    for (int i = outOffset + n; i < floats.length; i++) {
                        assertThat(floats[i]).isZero();
                    }
                }
            }
        }
    }
}

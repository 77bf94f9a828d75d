package dev.fastvlm.core.tensor;

/**
 * IEEE 754 binary16 conversions with numpy's semantics, for Java 17 which has no
 * {@code Float.float16ToFloat}. Both directions work on raw bits so that NaN payloads survive the
 * way they do in {@code ndarray.astype}: widening keeps the payload (a signalling NaN stays
 * signalling), narrowing keeps its top ten bits and forces a non-zero payload so a NaN never
 * becomes an infinity.
 */
public final class Float16 {
    private Float16() {
    }

    /**
     * The float32 bit pattern of the half {@code bits}: exact for every one of the 65,536 values.
     *
     * @param bits an IEEE binary16 value's bits
     * @return the float32 bits of the same value
     */
    public static int toFloatBits(short bits) {
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return sign | 0x7f80_0000 | (mantissa << 13);
        }
        if (exponent == 0) {
            // Zero or subnormal: mantissa * 2^-24 is exact in float32, so let the FPU normalise it.
            return sign | Float.floatToRawIntBits(mantissa * 0x1p-24f);
        }
        return sign | ((exponent + 112) << 23) | (mantissa << 13);
    }

    /**
     * The half {@code bits} as a float.
     *
     * @param bits an IEEE binary16 value's bits
     * @return the same value as a float
     */
    public static float toFloat(short bits) {
        return Float.intBitsToFloat(toFloatBits(bits));
    }

    /**
     * The half nearest to the float32 bit pattern {@code bits}, ties to even; overflow gives infinity.
     *
     * @param bits a float32 value's bits
     * @return the binary16 bits of the nearest half
     */
    public static short fromFloatBits(int bits) {
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fff_ffff;
        if (abs >= 0x7f80_0000) {
            if (abs == 0x7f80_0000) {
                return (short) (sign | 0x7c00);
            }
            int payload = (abs & 0x7f_ffff) >>> 13;
            return (short) (sign | 0x7c00 | (payload == 0 ? 1 : payload));
        }
        if (abs >= 0x477f_f000) {
            // 65520 and up: past the midpoint between the largest half (65504) and 2^16.
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x3880_0000) {
            int half = (((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff);
            return (short) (sign | roundHalfEven(half, abs & 0x1fff, 0x1000));
        }
        if (abs < 0x3300_0000) {
            // Below 2^-25 (half the smallest subnormal): rounds to zero; exactly 2^-25 is a tie to even zero.
            return (short) sign;
        }
        int mantissa = (abs & 0x7f_ffff) | 0x80_0000;
        int shift = 126 - (abs >>> 23);
        int half = mantissa >>> shift;
        return (short) (sign | roundHalfEven(half, mantissa & ((1 << shift) - 1), 1 << (shift - 1)));
    }

    /**
     * The half nearest to {@code value}, as {@code np.float32(value).astype(np.float16)} gives it.
     *
     * @param value any float
     * @return the binary16 bits of the nearest half
     */
    public static short fromFloat(float value) {
        return fromFloatBits(Float.floatToRawIntBits(value));
    }

    private static int roundHalfEven(int truncated, int remainder, int halfway) {
        // A carry out of the mantissa lands in the exponent, which is the correctly rounded result.
        if (remainder > halfway || (remainder == halfway && (truncated & 1) != 0)) {
            return truncated + 1;
        }
        return truncated;
    }
}

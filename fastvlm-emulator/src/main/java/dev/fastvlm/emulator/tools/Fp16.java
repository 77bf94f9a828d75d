package dev.fastvlm.emulator.tools;

/** IEEE 754 binary16 conversions (round to nearest even), as the HTP writes FLOAT_16 tensors. */
final class Fp16 {
    private Fp16() {
    }

    static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs > 0x7f800000) {
            return (short) (sign | 0x7e00);
        }
        if (abs >= 0x477ff000) {
            return (short) (sign | 0x7c00);
        }
        if (abs >= 0x38800000) {
            int half = (((abs >>> 23) - 112) << 10) | ((abs & 0x7fffff) >>> 13);
            int rest = abs & 0x1fff;
            if (rest > 0x1000 || (rest == 0x1000 && (half & 1) == 1)) {
                half++;
            }
            return (short) (sign | half);
        }
        int q = (int) Math.rint(Float.intBitsToFloat(abs) * 16777216f);
        return (short) (sign | q);
    }

    static float toFloat(short h) {
        int sign = h & 0x8000;
        int e = (h >>> 10) & 0x1f;
        int m = h & 0x3ff;
        float v;
        if (e == 0) {
            v = m * 0x1p-24f;
        } else if (e == 31) {
            v = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
        } else {
            v = Float.intBitsToFloat(((e + 112) << 23) | (m << 13));
        }
        return sign != 0 ? -v : v;
    }
}

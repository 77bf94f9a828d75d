package dev.fastvlm.core.image.decode;

/**
 * The pixel arithmetic of PIL's {@code convert("RGB")} (libImaging/Convert.c) for the modes that
 * do not map one to one: CMYK, and 16-bit grayscale, which PIL opens as 32-bit mode {@code I}.
 */
final class PilConversions {
    private PilConversions() {
    }

    /** PIL's {@code cmyk2rgb}: {@code clip(nk - round(c * nk / 255))} with {@code nk = 255 - k}. */
    static void cmykToRgb(byte[] cmyk, int cmykOffset, byte[] rgb, int rgbOffset, int pixels) {
        for (int i = 0; i < pixels; i++) {
            int s = cmykOffset + 4 * i;
            int d = rgbOffset + 3 * i;
            int nk = 255 - (cmyk[s + 3] & 0xff);
            rgb[d] = (byte) cmykChannel(cmyk[s] & 0xff, nk);
            rgb[d + 1] = (byte) cmykChannel(cmyk[s + 1] & 0xff, nk);
            rgb[d + 2] = (byte) cmykChannel(cmyk[s + 2] & 0xff, nk);
        }
    }

    static int cmykChannel(int value, int nk) {
        int t = value * nk + 128;
        int v = nk - ((t >> 8) + t >> 8);
        return Math.max(0, Math.min(255, v));
    }

    /** PIL's {@code i2rgb}: a mode-I value is clipped to 0..255, not scaled. */
    static int clipI(int value) {
        return Math.max(0, Math.min(255, value));
    }
}

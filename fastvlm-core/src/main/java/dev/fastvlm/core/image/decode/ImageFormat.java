package dev.fastvlm.core.image.decode;

import java.nio.charset.StandardCharsets;

/** Recognises a file's format from its first bytes, so that errors can say what a file is. */
enum ImageFormat {
    JPEG(true), PNG(true), GIF(true), BMP(true), TIFF(true), WEBP(true),
    JPEG_2000(false), JPEG_XL(false), HEIF(false), AVIF(false), PSD(false), ICO(false),
    PDF(false), SVG(false), UNKNOWN(false);

    private final boolean supported;

    ImageFormat(boolean supported) {
        this.supported = supported;
    }

    boolean supported() {
        return supported;
    }

    String displayName() {
        return name().replace('_', ' ');
    }

    static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (ascii(b, 0, "GIF87a") || ascii(b, 0, "GIF89a")) {
            return GIF;
        }
        if (ascii(b, 0, "BM")) {
            return BMP;
        }
        if (startsWith(b, 0, 'I', 'I', 42, 0) || startsWith(b, 0, 'M', 'M', 0, 42)) {
            return TIFF;
        }
        if (ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
            return WEBP;
        }
        if (startsWith(b, 0, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ') || startsWith(b, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
            return JPEG_2000;
        }
        if (startsWith(b, 0, 0xFF, 0x0A) || startsWith(b, 0, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) {
            return JPEG_XL;
        }
        if (ascii(b, 4, "ftyp")) {
            return ascii(b, 8, "avif") || ascii(b, 8, "avis") ? AVIF : HEIF;
        }
        if (ascii(b, 0, "8BPS")) {
            return PSD;
        }
        if (startsWith(b, 0, 0, 0, 1, 0) && b.length > 4 && b[4] != 0) {
            return ICO;
        }
        if (ascii(b, 0, "%PDF")) {
            return PDF;
        }
        String head = new String(b, 0, Math.min(b.length, 256), StandardCharsets.ISO_8859_1).stripLeading();
        if (head.startsWith("<svg") || head.startsWith("<?xml") && head.contains("<svg")) {
            return SVG;
        }
        return UNKNOWN;
    }

    private static boolean startsWith(byte[] b, int at, int... expected) {
        if (b.length < at + expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if ((b[at + i] & 0xff) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] b, int at, String expected) {
        return startsWith(b, at, expected.chars().toArray());
    }
}

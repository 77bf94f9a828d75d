package dev.fastvlm.core.image.decode;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads the EXIF orientation tag (0x0112) from JPEG, PNG, WebP and TIFF files and applies it
 * as PIL's {@code ImageOps.exif_transpose} does. Malformed metadata counts as "no orientation":
 * it must not make an otherwise good image unusable.
 */
public final class ExifOrientation {
    private static final int ORIENTATION_TAG = 0x0112;

    private ExifOrientation() {
    }

    /**
     * Rotates and flips decoded pixels as the EXIF orientation tag of their encoded file says.
     *
     * @param decoded the pixels decoded from {@code encoded}
     * @param encoded the whole encoded file (JPEG, PNG, WebP or TIFF carry the tag)
     * @return {@code decoded} turned upright; {@code decoded} itself when the file has no tag or tag 1
     */
    public static RgbImage orient(RgbImage decoded, byte[] encoded) {
        return apply(decoded, read(encoded));
    }

    /** The orientation 1..8, or 1 when absent or unreadable. */
    static int read(byte[] file) {
        try {
            int value = switch (ImageFormat.sniff(file)) {
                case JPEG -> fromJpeg(file);
                case PNG -> fromPng(file);
                case WEBP -> fromWebp(file);
                case TIFF -> fromTiff(file, 0, file.length);
                default -> 1;
            };
            return value >= 1 && value <= 8 ? value : 1;
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            return 1;
        }
    }

    /** Applies orientation {@code o}; 1 returns the image itself. */
    static RgbImage apply(RgbImage src, int o) {
        if (o == 1) {
            return src;
        }
        int w = src.width();
        int h = src.height();
        boolean swap = o >= 5;
        int ow = swap ? h : w;
        int oh = swap ? w : h;
        byte[] in = src.rgb();
        byte[] out = new byte[in.length];
        int d = 0;
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++, d += 3) {
                int sx;
                int sy;
                switch (o) {
                    case 2 -> { sx = w - 1 - x; sy = y; }              // FLIP_LEFT_RIGHT
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }      // ROTATE_180
                    case 4 -> { sx = x; sy = h - 1 - y; }              // FLIP_TOP_BOTTOM
                    case 5 -> { sx = y; sy = x; }                      // TRANSPOSE
                    case 6 -> { sx = y; sy = h - 1 - x; }              // ROTATE_270
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }      // TRANSVERSE
                    default -> { sx = w - 1 - y; sy = x; }             // 8: ROTATE_90
                }
                int s = (sy * w + sx) * 3;
                out[d] = in[s];
                out[d + 1] = in[s + 1];
                out[d + 2] = in[s + 2];
            }
        }
        return new RgbImage(ow, oh, out);
    }

    private static int fromJpeg(byte[] b) {
        int p = 2;
        while (p + 4 <= b.length && (b[p] & 0xff) == 0xFF) {
            int marker = b[p + 1] & 0xff;
            if (marker == 0xDA || marker == 0xD9) {
                break;
            }
            int length = (b[p + 2] & 0xff) << 8 | b[p + 3] & 0xff;
            if (marker == 0xE1 && startsWith(b, p + 4, "Exif\0\0")) {
                return fromTiff(b, p + 10, p + 2 + length);
            }
            p += 2 + length;
        }
        return 1;
    }

    private static int fromPng(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.BIG_ENDIAN);
        int p = 8;
        while (p + 8 <= b.length) {
            int length = buf.getInt(p);
            String type = new String(b, p + 4, 4, StandardCharsets.ISO_8859_1);
            if (type.equals("eXIf")) {
                return fromTiff(b, p + 8, p + 8 + length);
            }
            if (type.equals("IDAT") || length < 0) {
                break;
            }
            p += 12 + length;
        }
        return 1;
    }

    private static int fromWebp(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int p = 12;
        while (p + 8 <= b.length) {
            String type = new String(b, p, 4, StandardCharsets.ISO_8859_1);
            int length = buf.getInt(p + 4);
            if (type.equals("EXIF")) {
                int start = startsWith(b, p + 8, "Exif\0\0") ? p + 14 : p + 8;
                return fromTiff(b, start, p + 8 + length);
            }
            if (length < 0) {
                break;
            }
            p += 8 + length + (length & 1);
        }
        return 1;
    }

    private static int fromTiff(byte[] b, int start, int end) {
        ByteBuffer buf = ByteBuffer.wrap(b, start, Math.min(end, b.length) - start).slice();
        if (buf.remaining() < 8) {
            return 1;
        }
        buf.order(buf.get(0) == 'M' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        int ifd = buf.getInt(4);
        int entries = buf.getShort(ifd) & 0xffff;
        for (int i = 0; i < entries; i++) {
            int e = ifd + 2 + 12 * i;
            if ((buf.getShort(e) & 0xffff) == ORIENTATION_TAG) {
                return buf.getShort(e + 8) & 0xffff;
            }
        }
        return 1;
    }

    private static boolean startsWith(byte[] b, int at, String prefix) {
        if (at < 0 || at + prefix.length() > b.length) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if (b[at + i] != (byte) prefix.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}

package dev.fastvlm.core.image.decode;

import dev.fastvlm.InvalidInputException;

import java.util.OptionalInt;
import java.util.function.IntConsumer;
import java.util.zip.Adler32;
import java.util.zip.CRC32;

/**
 * PNG's common case, decoded row by row: 8-bit grey, grey+alpha, RGB and RGBA, not interlaced.
 * zlib is the JDK's native one (as PIL's); unfiltering writes RGB rows straight into the output,
 * so a consumer can start on the first rows while the rest inflate. Everything else (palettes,
 * other bit depths, interlacing) is left to ImageIO: {@link #open} returns null for it.
 *
 * <p>As PIL does, the checksums of the chunks before the image data are verified, those of the
 * image data are not, alpha is dropped and grey is replicated into R, G and B.
 */
final class PngDecoder {
    private static final int IHDR = 0x49484452;
    static final int IDAT = 0x49444154;
    private static final int IEND = 0x49454e44;
    private static final int ROWS_PER_REPORT = 16;
    private static final int INFLATE_BLOCK = 1 << 16;

    private final byte[] png;
    private final String name;
    private final int width;
    private final int height;
    private final int channels;
    /** Offset of the first IDAT chunk's length field. */
    private final int firstIdat;

    private PngDecoder(byte[] png, String name, int width, int height, int channels, int firstIdat) {
        this.png = png;
        this.name = name;
        this.width = width;
        this.height = height;
        this.channels = channels;
        this.firstIdat = firstIdat;
    }

    /**
     * Reads the header and the chunks up to the image data; null if the file is a kind of PNG
     * this decoder leaves to ImageIO. Rejects a corrupt header and an image over {@code maxPixels}.
     */
    static PngDecoder open(byte[] png, String name, long maxPixels) {
        int pos = 8;
        int width = 0;
        int height = 0;
        int channels = 0;
        CRC32 crc = new CRC32();
        while (true) {
            if (pos + 8 > png.length) {
                throw corrupt(name, "no image data");
            }
            int length = readInt(png, pos);
            int type = readInt(png, pos + 4);
            if (length < 0 || pos + 12L + length > png.length) {
                throw corrupt(name, "chunk at byte " + pos + " runs past the end of the file");
            }
            if (pos == 8) {
                if (type != IHDR || length != 13) {
                    throw corrupt(name, "the first chunk is not a 13-byte IHDR");
                }
                width = readInt(png, pos + 8);
                height = readInt(png, pos + 12);
            }
            if (type == IDAT) {
                break;
            }
            crc.reset();
            crc.update(png, pos + 4, length + 4);
            if ((int) crc.getValue() != readInt(png, pos + 8 + length)) {
                throw corrupt(name, "bad checksum in chunk " + chunkName(type));
            }
            if (type == IHDR) {
                Decoding.checkPixels(name, width, height, maxPixels);
                channels = channelsOf(png, pos + 8);
            }
            if (type == IEND) {
                throw corrupt(name, "no image data");
            }
            pos += 12 + length;
        }
        return channels == 0 ? null : new PngDecoder(png, name, width, height, channels, pos);
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    int channels() {
        return channels;
    }

    /**
     * Inflates and unfilters every row into {@code rgb} ({@code width * height * 3} bytes),
     * telling {@code progress} how many rows are complete every few rows and at the end.
     * Throws for truncated or corrupt data.
     */
    void decode(byte[] rgb, RowProgress progress) {
        int rowBytes = width * channels;
        int rgbRow = width * 3;
        // RGB rows are unfiltered in place in the output; other layouts in two rows of their own.
        byte[] line = new byte[rowBytes + 1];
        byte[] prior = channels == 3 ? null : new byte[rowBytes];
        byte[] current = channels == 3 ? null : new byte[rowBytes];
        Adler32 adler = new Adler32();
        try (IdatStream idat = new IdatStream(png, firstIdat, name)) {
            for (int y = 0; y < height; y++) {
                idat.inflateFully(line, 0, line.length);
                adler.update(line);
                int filter = line[0];
                if (channels == 3) {
                    unfilter(filter, line, 1, rgb, y * rgbRow, rgb, y == 0 ? -1 : (y - 1) * rgbRow, rowBytes, 3, y);
                } else {
                    unfilter(filter, line, 1, current, 0, prior, y == 0 ? -1 : 0, rowBytes, channels, y);
                    toRgb(current, rgb, y * rgbRow);
                    byte[] t = prior;
                    prior = current;
                    current = t;
                }
                if (y + 1 < height && (y + 1) % ROWS_PER_REPORT == 0 && !progress.rowsDone(y + 1)) {
                    return;
                }
            }
            OptionalInt expected = idat.trailer();
            if (expected.isPresent() && expected.getAsInt() != (int) adler.getValue()) {
                throw checksumMismatch((int) adler.getValue(), expected.getAsInt());
            }
        }
        progress.rowsDone(height);
    }

    /**
     * PNG's five filters, reversed: the filtered samples {@code in[s..s+n]} into {@code out[d..d+n]}
     * (which may be the same place); the row above is {@code prior[priorStart..]}, or zeros when
     * {@code priorStart < 0}.
     */
    private void unfilter(int filter, byte[] in, int s, byte[] out, int d, byte[] prior, int priorStart, int n,
                          int bpp, int y) {
        int p = priorStart;
        switch (filter) {
            case 0 -> {
                if (in != out || s != d) {
                    System.arraycopy(in, s, out, d, n);
                }
            }
            case 1 -> {
                System.arraycopy(in, s, out, d, bpp);
                for (int i = bpp; i < n; i++) {
                    out[d + i] = (byte) (in[s + i] + out[d + i - bpp]);
                }
            }
            case 2 -> {
                if (p < 0) {
                    System.arraycopy(in, s, out, d, n);
                } else {
                    for (int i = 0; i < n; i++) {
                        out[d + i] = (byte) (in[s + i] + prior[p + i]);
                    }
                }
            }
            case 3 -> {
                // The first pixel has no left neighbour and the first row no row above: both count as 0.
                for (int i = 0; i < bpp; i++) {
                    out[d + i] = (byte) (in[s + i] + (p < 0 ? 0 : (prior[p + i] & 0xff) >> 1));
                }
                if (p < 0) {
                    for (int i = bpp; i < n; i++) {
                        out[d + i] = (byte) (in[s + i] + ((out[d + i - bpp] & 0xff) >> 1));
                    }
                } else {
                    for (int i = bpp; i < n; i++) {
                        out[d + i] = (byte) (in[s + i] + ((out[d + i - bpp] & 0xff) + (prior[p + i] & 0xff) >> 1));
                    }
                }
            }
            case 4 -> {
                if (p < 0) {
                    // With no row above, Paeth always predicts the left neighbour.
                    System.arraycopy(in, s, out, d, bpp);
                    for (int i = bpp; i < n; i++) {
                        out[d + i] = (byte) (in[s + i] + out[d + i - bpp]);
                    }
                    return;
                }
                for (int i = 0; i < bpp; i++) {
                    out[d + i] = (byte) (in[s + i] + prior[p + i]);
                }
                for (int i = bpp; i < n; i++) {
                    out[d + i] = (byte) (in[s + i] + paeth(out[d + i - bpp] & 0xff, prior[p + i] & 0xff,
                            prior[p + i - bpp] & 0xff));
                }
            }
            default -> throw corrupt(name, "unknown filter type " + filter + " in row " + y);
        }
    }

    /**
     * PNG's Paeth predictor of {@code a} (left), {@code b} (above), {@code c} (above left), in the
     * form of stb_image: a threshold and two selects instead of three distances and a chain of
     * comparisons, which on photographs mispredicts at nearly every byte. The same value as the
     * specification's for every input (checked on all 2^24 in the tests).
     */
    static int paeth(int a, int b, int c) {
        int threshold = c * 3 - (a + b);
        int lo = Math.min(a, b);
        int hi = Math.max(a, b);
        int belowThreshold = hi <= threshold ? lo : c;
        return threshold <= lo ? hi : belowThreshold;
    }

    /** Bytes of one filtered row as inflated: the filter type, then the samples. */
    int filteredRowBytes() {
        return width * channels + 1;
    }

    /**
     * Only inflates: the filtered rows ({@link #filteredRowBytes} each) into {@code raw}, telling
     * {@code progress} how many whole rows are in after every block. {@link #unfilterInPlace}
     * finishes each row, so the unfiltering can run on the consumer's thread, and so does checking
     * the rows: the stream's Adler-32 of all of them goes to {@code checksum}, when the stream has
     * one, before the last rows are reported.
     */
    void inflate(byte[] raw, RowProgress progress, IntConsumer checksum) {
        int stride = filteredRowBytes();
        long total = (long) stride * height;
        try (IdatStream idat = new IdatStream(png, firstIdat, name)) {
            for (int filled = 0; filled < total; ) {
                int n = (int) Math.min(total - filled, INFLATE_BLOCK);
                idat.inflateFully(raw, filled, n);
                filled += n;
                if (filled == total) {
                    idat.trailer().ifPresent(checksum);
                }
                if (!progress.rowsDone(filled / stride)) {
                    return;
                }
            }
        }
    }

    /** The error for rows whose Adler-32 is not the one their zlib stream gives. */
    InvalidInputException checksumMismatch(int computed, int expected) {
        return corrupt(name, String.format("the image data's Adler-32 is 0x%08x, its zlib stream says 0x%08x",
                computed, expected));
    }

    /** Unfilters inflated row {@code y} of {@code raw} where it lies; rows above it must be done. */
    void unfilterInPlace(byte[] raw, int y) {
        int stride = filteredRowBytes();
        int d = y * stride + 1;
        unfilter(raw[d - 1], raw, d, raw, d, raw, y == 0 ? -1 : d - stride, stride - 1, channels, y);
    }

    private void toRgb(byte[] row, byte[] rgb, int d) {
        int s = 0;
        switch (channels) {
            case 1, 2 -> {
                for (int x = 0; x < width; x++, s += channels, d += 3) {
                    rgb[d] = rgb[d + 1] = rgb[d + 2] = row[s];
                }
            }
            default -> {
                for (int x = 0; x < width; x++, s += 4, d += 3) {
                    rgb[d] = row[s];
                    rgb[d + 1] = row[s + 1];
                    rgb[d + 2] = row[s + 2];
                }
            }
        }
    }

    static InvalidInputException corrupt(String name, String why) {
        return new InvalidInputException(name + ": truncated or corrupt PNG data (" + why + ")");
    }

    /** Bytes per pixel of the layouts decoded here, 0 for those left to ImageIO. */
    private static int channelsOf(byte[] png, int ihdr) {
        int bitDepth = png[ihdr + 8];
        int colorType = png[ihdr + 9];
        int interlace = png[ihdr + 12];
        if (bitDepth != 8 || interlace != 0 || png[ihdr + 10] != 0 || png[ihdr + 11] != 0) {
            return 0;
        }
        return switch (colorType) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            case 6 -> 4;
            default -> 0;
        };
    }

    private static String chunkName(int type) {
        return new String(new char[] {(char) (type >>> 24), (char) (type >>> 16 & 0xff),
                (char) (type >>> 8 & 0xff), (char) (type & 0xff)});
    }

    static int readInt(byte[] b, int i) {
        return (b[i] & 0xff) << 24 | (b[i + 1] & 0xff) << 16 | (b[i + 2] & 0xff) << 8 | b[i + 3] & 0xff;
    }

    /** Told as rows complete; returns false to stop decoding (the consumer gave up). */
    interface RowProgress {
        boolean rowsDone(int rows);
    }
}

package dev.fastvlm.core.image.decode;

import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.PreprocessedImage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The row-by-row PNG decoder on files written here with every filter type, so each of the five
 * unfilterings is exercised whatever filters PIL's encoder happened to pick for the goldens; and
 * the streaming path (decoder thread + resampler) against the same pixels decoded in one go.
 */
public class PngDecoderTest {
    private static final ImageDecoder STANDARD = ImageDecoder.standard();

    @ParameterizedTest(name = "colour type {0}, filter {1}, {2} px wide")
    @CsvSource({"0, 0, 7", "0, 1, 7", "0, 2, 7", "0, 3, 7", "0, 4, 7", "4, 4, 5", "4, 3, 5",
            "2, 0, 9", "2, 1, 9", "2, 2, 9", "2, 3, 9", "2, 4, 9", "2, 4, 1", "6, 1, 6", "6, 3, 6", "6, 4, 6",
            "2, -1, 33", "6, -1, 33", "0, -1, 12", "4, -1, 12"})
    void everyFilterRoundTrips(int colorType, int filter, int width) {
        int height = width;
        int channels = channels(colorType);
        byte[] raw = random(width * height * channels, colorType * 31 + filter + width);
        byte[] png = png(width, height, colorType, raw, filter, 1 << 20);
        RgbImage expected = rgb(width, height, channels, raw);

        assertThat(STANDARD.decode(png, "t.png", Long.MAX_VALUE).rgb()).isEqualTo(expected.rgb());
        // Same size: the preprocessor keeps the decoded pixels, after the decoding thread finished.
        assertThat(ImagePreprocessor.builder().size(width).build().preprocess(ImageInput.of(png, "t.png"))
                .pixels().rgb()).isEqualTo(expected.rgb());
    }

    @Test
    void thePaethPredictorIsTheSpecificationsForEveryInput() {
        for (int a = 0; a < 256; a++) {
            for (int b = 0; b < 256; b++) {
                for (int c = 0; c < 256; c++) {
                    // PNG specification, section 9.4: the nearest of a, b, c to a + b - c, ties in that order.
                    int p = a + b - c;
                    int pa = Math.abs(p - a);
                    int pb = Math.abs(p - b);
                    int pc = Math.abs(p - c);
                    int expected = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
                    if (PngDecoder.paeth(a, b, c) != expected) {
                        assertThat(PngDecoder.paeth(a, b, c)).as("paeth(%d, %d, %d)", a, b, c).isEqualTo(expected);
                    }
                }
            }
        }
    }

    @Test
    void imageDataSplitOverManyChunksIncludingEmptyOnes() {
        byte[] raw = random(40 * 30 * 3, 5);
        byte[] png = png(40, 30, 2, raw, -1, 7);
        assertThat(STANDARD.decode(png, "t.png", Long.MAX_VALUE).rgb()).isEqualTo(raw);
    }

    @ParameterizedTest(name = "colour type {0}")
    @ValueSource(ints = {0, 2, 4, 6})
    void streamingDecodeFeedsTheResamplerTheSamePixels(int colorType) {
        int w = 900;
        int h = 700;
        int channels = channels(colorType);
        byte[] raw = random(w * h * channels, colorType);
        byte[] png = png(w, h, colorType, raw, -1, 1 << 16);
        boolean arriving = StandardDecoder.decodeThen(png, "big.png", Long.MAX_VALUE, (width, height) -> true,
                SourcePixels::arriving);
        assertThat(arriving).as("decoded on another thread").isTrue();
        ImagePreprocessor pre = ImagePreprocessor.builder().size(256).build();
        byte[] streamed = pre.preprocess(ImageInput.of(png, "big.png")).pixels().rgb();
        byte[] fromArray = pre.resize(rgb(w, h, channels, raw)).rgb();
        assertThat(streamed).isEqualTo(fromArray);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 5, 10, 50})
    void truncatedDataFailsThePreprocessingEvenWhileStreaming(int fraction) {
        byte[] png = png(900, 700, 2, random(900 * 700 * 3, 9), -1, 1 << 14);
        byte[] cut = Arrays.copyOf(png, png.length - png.length / fraction);
        assertThatThrownBy(() -> ImagePreprocessor.builder().size(256).build().preprocess(ImageInput.of(cut, "cut.png")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cut.png: truncated or corrupt PNG data");
    }

    @ParameterizedTest(name = "IDAT chunks of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 5, 1 << 20})
    void streamedRowsAreCheckedAgainstTheZlibTrailerWhereverTheChunksSplitIt(int chunk) {
        byte[] raw = random(40 * 40 * 3, chunk);
        byte[] png = png(40, 40, 2, raw, -1, chunk);
        ImagePreprocessor same = ImagePreprocessor.builder().size(40).build();
        assertThat(same.preprocessStreaming(ImageInput.of(png, "s.png")).pixels().rgb()).isEqualTo(raw);
        assertThat(STANDARD.decode(png, "s.png", Long.MAX_VALUE).rgb()).isEqualTo(raw);

        byte[] bad = png.clone();
        bad[lastImageDataByte(bad)] ^= 0x40; // the zlib stream's last byte: its Adler-32's
        String problem = "b.png: truncated or corrupt PNG data (the image data's Adler-32 is 0x";
        assertThatThrownBy(() -> same.preprocessStreaming(ImageInput.of(bad, "b.png")).writeTo(OutputStream.nullOutputStream()))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(problem)
                .hasMessageContaining(", its zlib stream says 0x");
        assertThatThrownBy(() -> STANDARD.decode(bad, "b.png", Long.MAX_VALUE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith(problem);
    }

    @Test
    void aStreamedImageThatFailedTheChecksumKeepsFailing() {
        byte[] png = png(40, 40, 2, random(40 * 40 * 3, 8), -1, 1 << 20);
        png[lastImageDataByte(png)] ^= 1;
        PreprocessedImage image = ImagePreprocessor.builder().size(40).build().preprocessStreaming(ImageInput.of(png, "k.png"));
        assertThatThrownBy(image::pixels).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(image::pixels).isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("k.png: truncated or corrupt PNG data (the image data's Adler-32");
    }

    @Test
    void aMissingTrailerOrDataPastTheImageIsAcceptedAsPilDoes() {
        byte[] raw = random(40 * 40 * 3, 12);
        byte[] zlib = imageData(png(40, 40, 2, raw, -1, 1 << 20));
        byte[] noTrailer = Arrays.copyOf(zlib, zlib.length - 4);
        byte[] halfTrailer = Arrays.copyOf(zlib, zlib.length - 2);
        // The same rows and then 40 more zero bytes: a stream longer than the image.
        byte[] filtered = new byte[40 * 121 + 40];
        Inflater inflater = new Inflater();
        inflater.setInput(zlib);
        try {
            assertThat(inflater.inflate(filtered)).isEqualTo(40 * 121);
        } catch (java.util.zip.DataFormatException e) {
            throw new AssertionError(e);
        } finally {
            inflater.end();
        }
        byte[] longer = deflate(filtered);
        ImagePreprocessor same = ImagePreprocessor.builder().size(40).build();
        for (byte[] data : List.of(noTrailer, halfTrailer, longer)) {
            byte[] png = rgbPng(40, 40, data);
            assertThat(same.preprocessStreaming(ImageInput.of(png, "t.png")).pixels().rgb()).isEqualTo(raw);
            assertThat(STANDARD.decode(png, "t.png", Long.MAX_VALUE).rgb()).isEqualTo(raw);
        }
    }

    @Test
    void aBadZlibHeaderIsCorruptData() {
        byte[] png = png(5, 4, 2, random(60, 6), 0, 1 << 20);
        png[8 + 25 + 8] = 0x79; // the first IDAT's first byte, zlib's CMF: compression method 9
        assertThatThrownBy(() -> STANDARD.decode(png, "z.png", Long.MAX_VALUE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("z.png: truncated or corrupt PNG data (bad zlib header 0x79");
    }

    @Test
    void unknownFilterTypeIsCorruptData() {
        byte[] raw = random(5 * 4 * 3, 3);
        byte[] png = png(5, 4, 2, raw, 5, 1 << 20);
        assertThatThrownBy(() -> STANDARD.decode(png, "f.png", Long.MAX_VALUE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("f.png: truncated or corrupt PNG data (unknown filter type 5 in row 0)");
    }

    @Test
    void badHeaderChecksumIsRejectedAsPilDoes() {
        byte[] png = png(5, 4, 2, random(60, 4), 0, 1 << 20);
        png[8 + 8 + 12] ^= 1; // the IHDR's interlace byte
        assertThatThrownBy(() -> STANDARD.decode(png, "h.png", Long.MAX_VALUE))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("h.png: truncated or corrupt PNG data (bad checksum in chunk IHDR)");
    }

    private static int channels(int colorType) {
        return switch (colorType) {
            case 0 -> 1;
            case 4 -> 2;
            case 2 -> 3;
            default -> 4;
        };
    }

    /** PIL's convert("RGB"): grey replicated, alpha dropped. */
    private static RgbImage rgb(int w, int h, int channels, byte[] raw) {
        byte[] rgb = new byte[w * h * 3];
        for (int p = 0; p < w * h; p++) {
            for (int c = 0; c < 3; c++) {
                rgb[p * 3 + c] = raw[p * channels + (channels < 3 ? 0 : c)];
            }
        }
        return new RgbImage(w, h, rgb);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * An 8-bit PNG with every row filtered by {@code filter} (-1: row y uses filter y % 5), its
     * zlib stream cut into IDAT chunks of {@code chunk} bytes with an empty IDAT after the first.
     */
    public static byte[] png(int w, int h, int colorType, byte[] raw, int filter, int chunk) {
        int bpp = channels(colorType);
        int rowBytes = w * bpp;
        ByteArrayOutputStream filtered = new ByteArrayOutputStream();
        for (int y = 0; y < h; y++) {
            int f = filter < 0 ? y % 5 : filter;
            filtered.write(f);
            for (int i = 0; i < rowBytes; i++) {
                int x = raw[y * rowBytes + i] & 0xff;
                int a = i >= bpp ? raw[y * rowBytes + i - bpp] & 0xff : 0;
                int b = y > 0 ? raw[(y - 1) * rowBytes + i] & 0xff : 0;
                int c = y > 0 && i >= bpp ? raw[(y - 1) * rowBytes + i - bpp] & 0xff : 0;
                int predicted = switch (f) {
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) / 2;
                    case 4 -> paeth(a, b, c);
                    default -> 0;
                };
                filtered.write(x - predicted);
            }
        }
        byte[] data = deflate(filtered.toByteArray());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 0x1A, 10});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) colorType)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        for (int off = 0; off < data.length; off += chunk) {
            chunk(out, "IDAT", Arrays.copyOfRange(data, off, Math.min(data.length, off + chunk)));
            if (off == 0) {
                chunk(out, "IDAT", new byte[0]);
            }
        }
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    /** The image data of a PNG, its IDAT chunks joined. */
    private static byte[] imageData(byte[] png) {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int pos = 8; pos < png.length; ) {
            int length = ByteBuffer.wrap(png, pos, 4).getInt();
            if (new String(png, pos + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) {
                data.write(png, pos + 8, length);
            }
            pos += 12 + length;
        }
        return data.toByteArray();
    }

    /** An 8-bit RGB PNG around the given image data, in one IDAT chunk. */
    private static byte[] rgbPng(int w, int h, byte[] imageData) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 0x1A, 10});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(w).putInt(h).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0).array());
        chunk(out, "IDAT", imageData);
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater();
        deflater.setInput(bytes);
        deflater.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (!deflater.finished()) {
            z.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        return z.toByteArray();
    }

    /** Where the last non-empty IDAT chunk's data ends, less one. */
    private static int lastImageDataByte(byte[] png) {
        int last = -1;
        for (int pos = 8; pos < png.length; ) {
            int length = ByteBuffer.wrap(png, pos, 4).getInt();
            if (length > 0 && new String(png, pos + 4, 4, StandardCharsets.US_ASCII).equals("IDAT")) {
                last = pos + 8 + length - 1;
            }
            pos += 12 + length;
        }
        return last;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}

package dev.fastvlm.core.image;

import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.core.image.decode.ImageDecoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every way an image can be unusable ends in an InvalidInputException that names it and says why. */
class ImageInputErrorsTest {
    private static final ImagePreprocessor STANDARD = ImagePreprocessor.builder().size(17).build();
    private static final ImagePreprocessor IMAGE_IO =
            ImagePreprocessor.builder().size(17).decoder(ImageDecoder.imageIo()).build();

    @TempDir
    Path dir;

    @Test
    void emptyFile() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.jpg"));
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(empty)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(empty + ": the image file is empty");
    }

    @Test
    void missingFile() {
        Path missing = dir.resolve("missing.png");
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(missing)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(missing + ": no such image file");
    }

    @Test
    void directoryIsNamed() {
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(dir)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(dir + ": not a regular file (a directory, FIFO, socket or device); an image must be a"
                        + " regular file");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fifoIsRefusedWithoutOpeningIt() throws Exception {
        Path fifo = dir.resolve("image.png");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor()).isZero();
        // Opening a FIFO with no writer blocks for ever: the refusal must come before any open.
        for (ImagePreprocessor images : new ImagePreprocessor[] {STANDARD, IMAGE_IO}) {
            assertThatThrownBy(() -> images.preprocessStreaming(ImageInput.of(fifo)))
                    .isInstanceOf(InvalidInputException.class)
                    .hasMessageStartingWith(fifo + ": not a regular file");
        }
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void deviceFileIsRefused() {
        Path zero = Path.of("/dev/zero");
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(zero)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("/dev/zero: not a regular file");
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void fileOverTheLimitIsRefusedBeforeReading() throws IOException {
        Path sparse = dir.resolve("huge.png");
        long size = ImagePreprocessor.DEFAULT_MAX_FILE_BYTES * 12;
        try (RandomAccessFile file = new RandomAccessFile(sparse.toFile(), "rw")) {
            file.setLength(size);
        }
        assertThatThrownBy(() -> STANDARD.preprocessStreaming(ImageInput.of(sparse)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(sparse + ": " + size + " bytes, larger than the image file limit of "
                        + ImagePreprocessor.DEFAULT_MAX_FILE_BYTES + " bytes");
        ImagePreprocessor small = ImagePreprocessor.builder().size(17).maxFileBytes(10).build();
        Path eleven = Files.write(dir.resolve("eleven.png"), new byte[11]);
        assertThatThrownBy(() -> small.preprocess(ImageInput.of(eleven)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage(eleven + ": 11 bytes, larger than the image file limit of 10 bytes");
    }

    @Test
    void notAnImage() {
        byte[] text = "hello, this is a text file\n".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(text, "notes.txt")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("notes.txt: not an image (unrecognised content, 27 bytes)");
    }

    @Test
    void unsupportedFormatIsNamed() {
        byte[] heic = {0, 0, 0, 24, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c', 0, 0, 0, 0};
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(heic, "photo.heic")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("photo.heic: unsupported image format HEIF");
        byte[] jp2 = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 13, 10, (byte) 0x87, 10};
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(jp2, "scan.jp2")))
                .hasMessageStartingWith("scan.jp2: unsupported image format JPEG 2000");
    }

    @ParameterizedTest
    @CsvSource({"photo420.jpg, true", "photo420.jpg, false", "progressive.jpg, true", "progressive.jpg, false",
            "cmyk.jpg, true", "cmyk.jpg, false"})
    void truncatedJpegIsRejectedNotPaddedGrey(String source, boolean turbo) {
        byte[] jpeg = PilGoldens.load("sources/" + source, false);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length / 2);
        ImagePreprocessor pre = turbo ? STANDARD : IMAGE_IO;
        assertThatThrownBy(() -> pre.preprocess(ImageInput.of(cut, "cut.jpg")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cut.jpg: truncated or corrupt JPEG data");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rgb.png", "p.gif", "rgb.bmp", "rgb_lzw.tif", "lossless.webp"})
    void truncatedLosslessFilesAreRejected(String source) {
        byte[] data = PilGoldens.load("sources/" + source, false);
        byte[] cut = Arrays.copyOf(data, data.length * 2 / 3);
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(cut, "cut-" + source)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cut-" + source + ": truncated or corrupt");
    }

    @Test
    void decompressionBombIsRejectedFromThePngHeader() {
        // A valid header claiming 50000 x 50000 pixels, and no pixel data at all.
        byte[] bomb = png(50_000, 50_000);
        assertThatThrownBy(() -> STANDARD.preprocess(ImageInput.of(bomb, "bomb.png")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("bomb.png: image of 50000x50000 = 2500000000 pixels exceeds the limit of 89478485 pixels"
                        + " (decompression bomb guard)");
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void decompressionBombIsRejectedFromTheJpegHeader(boolean turbo) {
        byte[] jpeg = PilGoldens.load("sources/photo420.jpg", false).clone();
        int sof = indexOfMarker(jpeg, 0xC0);
        // SOF0: length(2) precision(1) height(2) width(2)
        jpeg[sof + 5] = (byte) 0xEA;
        jpeg[sof + 6] = (byte) 0x60;
        jpeg[sof + 7] = (byte) 0xEA;
        jpeg[sof + 8] = (byte) 0x60;
        ImagePreprocessor pre = turbo ? STANDARD : IMAGE_IO;
        assertThatThrownBy(() -> pre.preprocess(ImageInput.of(jpeg, "huge.jpg")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("huge.jpg: image of 60000x60000 = 3600000000 pixels exceeds the limit");
    }

    @Test
    void theLimitIsConfigurableAndAppliesToCallerPixels() {
        ImagePreprocessor strict = ImagePreprocessor.builder().size(17).maxPixels(61 * 47 - 1).build();
        byte[] png = PilGoldens.load("sources/rgb.png", false);
        assertThatThrownBy(() -> strict.preprocess(ImageInput.of(png, "rgb.png")))
                .hasMessage("rgb.png: image of 61x47 = 2867 pixels exceeds the limit of 2866 pixels"
                        + " (decompression bomb guard)");
        assertThatThrownBy(() -> strict.preprocess(ImageInput.ofRgb(61, 47, new byte[61 * 47 * 3])))
                .isInstanceOf(InvalidInputException.class);
        assertThat(ImagePreprocessor.builder().size(17).maxPixels(61 * 47).build()
                .preprocess(ImageInput.of(png, "rgb.png")).pixels().width()).isEqualTo(17);
    }

    private static int indexOfMarker(byte[] jpeg, int marker) {
        for (int i = 0; i + 1 < jpeg.length; i++) {
            if ((jpeg[i] & 0xff) == 0xFF && (jpeg[i + 1] & 0xff) == marker) {
                return i;
            }
        }
        throw new AssertionError("no marker " + marker);
    }

    private static byte[] png(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(8 + 25 + 12).order(ByteOrder.BIG_ENDIAN);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 0x1A, 10});
        byte[] ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0)
                .array();
        CRC32 crc = new CRC32();
        crc.update(ihdr);
        b.putInt(13).put(ihdr).putInt((int) crc.getValue());
        b.putInt(0).put("IEND".getBytes(StandardCharsets.US_ASCII)).putInt(0xAE426082);
        return b.array();
    }
}

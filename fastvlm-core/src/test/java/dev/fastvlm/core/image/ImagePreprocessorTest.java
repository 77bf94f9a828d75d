package dev.fastvlm.core.image;

import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.core.image.decode.PngDecoderTest;
import dev.fastvlm.core.image.decode.RgbImage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImagePreprocessorTest {
    private static final byte[] RGB_PNG = PilGoldens.load("sources/rgb.png", false);

    @TempDir
    Path dir;

    @Test
    void aPngAtTheOutputSizeStreamsTheSameBytesWhileItDecodes() throws IOException {
        byte[] raw = new byte[600 * 600 * 3];
        new java.util.Random(3).nextBytes(raw);
        byte[] png = PngDecoderTest.png(600, 600, 2, raw, -1, 4096);
        ImagePreprocessor pre = ImagePreprocessor.builder().size(600).build();
        ByteArrayOutputStream streamed = new ByteArrayOutputStream();
        pre.preprocessStreaming(ImageInput.of(png, "same-size.png")).writeTo(streamed);
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        pre.preprocess(ImageInput.of(png, "same-size.png")).writeTo(whole);
        assertThat(streamed.toByteArray()).isEqualTo(whole.toByteArray()).isEqualTo(raw);

        // Not at the output size, or not uint8: preprocessed in full, the same result as preprocess.
        ImagePreprocessor smaller = ImagePreprocessor.builder().size(256).build();
        assertThat(smaller.preprocessStreaming(ImageInput.of(png, "x.png")).pixels().rgb())
                .isEqualTo(smaller.preprocess(ImageInput.of(png, "x.png")).pixels().rgb());
        ImagePreprocessor floats = ImagePreprocessor.builder().size(600).layout(OutputLayout.FLOAT32_NCHW).build();
        assertThat(floats.preprocessStreaming(ImageInput.of(png, "x.png")).pixels().rgb()).isEqualTo(raw);

        // RGBA and grey rows arrive through the single-thread decoder instead.
        for (int colorType : new int[] {6, 0}) {
            byte[] other = new byte[600 * 600 * (colorType == 6 ? 4 : 1)];
            new java.util.Random(colorType).nextBytes(other);
            byte[] otherPng = PngDecoderTest.png(600, 600, colorType, other, -1, 4096);
            ByteArrayOutputStream a = new ByteArrayOutputStream();
            pre.preprocessStreaming(ImageInput.of(otherPng, "other.png")).writeTo(a);
            assertThat(a.toByteArray()).isEqualTo(pre.preprocess(ImageInput.of(otherPng, "other.png")).pixels().rgb());
        }
    }

    @Test
    void aTruncatedPngAtTheOutputSizeFailsWhenItsRowsAreWritten() {
        byte[] raw = new byte[600 * 600 * 3];
        new java.util.Random(4).nextBytes(raw);
        byte[] png = PngDecoderTest.png(600, 600, 2, raw, -1, 4096);
        byte[] cut = Arrays.copyOf(png, png.length / 2);
        PreprocessedImage pending = ImagePreprocessor.builder().size(600).build()
                .preprocessStreaming(ImageInput.of(cut, "cut.png"));
        assertThatThrownBy(() -> pending.writeTo(new ByteArrayOutputStream()))
                .isInstanceOf(dev.fastvlm.InvalidInputException.class).hasMessageContaining("cut.png");
        assertThatThrownBy(pending::complete).isInstanceOf(dev.fastvlm.InvalidInputException.class);
    }

    @Test
    void defaultsAreTheReferenceFlow() {
        ImagePreprocessor pre = ImagePreprocessor.builder().build();
        assertThat(pre.size()).isEqualTo(1024);
        assertThat(pre.resizePolicy()).isEqualTo(ResizePolicy.STRETCH);
        assertThat(pre.layout()).isEqualTo(OutputLayout.UINT8_HWC);
    }

    @Test
    void callerPixelsNeedNoDecoderAndGiveTheSameResult() {
        PilGoldens.Case golden = PilGoldens.all().stream()
                .filter(c -> c.source().equals("rgb.png") && c.policy() == ResizePolicy.PAD_TO_SQUARE && c.size() == 17)
                .findFirst().orElseThrow();
        RgbImage decoded = ImagePreprocessor.builder().build().decode(ImageInput.of(RGB_PNG, "rgb.png"));
        ImagePreprocessor noDecoder = ImagePreprocessor.builder().size(17).resizePolicy(ResizePolicy.PAD_TO_SQUARE)
                .decoder((bytes, name, max) -> {
                    throw new AssertionError("decoder called for caller pixels");
                }).build();
        PreprocessedImage out = noDecoder.preprocess(ImageInput.ofRgb(decoded.width(), decoded.height(), decoded.rgb()));
        assertThat(out.pixels().rgb()).isEqualTo(golden.pixels());
    }

    @Test
    void argbInputDropsAlphaLikePil() {
        int[] argb = {0x00102030, 0x80405060, 0xFF708090, 0x10A0B0C0};
        RgbImage pixels = ImagePreprocessor.builder().size(2).build()
                .preprocess(ImageInput.ofArgb(2, 2, argb)).pixels();
        // Same size in both directions: PIL returns a copy, the pixels pass through untouched.
        assertThat(new int[] {pixels.pixel(0, 0), pixels.pixel(1, 0), pixels.pixel(0, 1), pixels.pixel(1, 1)})
                .containsExactly(0x102030, 0x405060, 0x708090, 0xA0B0C0);
    }

    @Test
    void float32IsLittleEndianNchwWhateverTheBufferOrder() throws IOException {
        PreprocessedImage img = ImagePreprocessor.builder().size(5).layout(OutputLayout.FLOAT32_NCHW).build()
                .preprocess(ImageInput.of(RGB_PNG, "rgb.png"));
        assertThat(img.byteSize()).isEqualTo(3 * 5 * 5 * 4);
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        img.writeTo(stream);
        ByteBuffer buffer = ByteBuffer.allocate((int) img.byteSize() + 7).order(ByteOrder.BIG_ENDIAN);
        buffer.position(3);
        img.writeTo(buffer);
        assertThat(buffer.position()).isEqualTo(3 + img.byteSize());
        assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        byte[] written = Arrays.copyOfRange(buffer.array(), 3, 3 + (int) img.byteSize());
        assertThat(written).isEqualTo(stream.toByteArray());
        // Channel 1 (green) of pixel (x=2, y=4) sits at plane 1, row 4, column 2.
        float green = ByteBuffer.wrap(written).order(ByteOrder.LITTLE_ENDIAN).getFloat(4 * (25 + 4 * 5 + 2));
        assertThat(green).isEqualTo((float) (img.pixels().pixel(2, 4) >> 8 & 0xff) / 255.0f);
    }

    @Test
    void aTooSmallBufferIsRefusedBeforeWriting() {
        PreprocessedImage img = ImagePreprocessor.builder().size(4).build().preprocess(ImageInput.of(RGB_PNG, "rgb.png"));
        ByteBuffer small = ByteBuffer.allocate(47);
        assertThatThrownBy(() -> img.writeTo(small)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("buffer has 47 bytes left, need 48");
        assertThat(small.position()).isZero();
    }

    @Test
    void fileIsWrittenCompleteUnderItsFinalNameOnly() throws IOException {
        PreprocessedImage img = ImagePreprocessor.builder().size(8).build().preprocess(ImageInput.of(RGB_PNG, "rgb.png"));
        Path out = dir.resolve("vision_input.raw");
        Files.write(out, new byte[] {1, 2, 3});
        img.writeTo(out);
        assertThat(Files.readAllBytes(out)).isEqualTo(img.pixels().rgb());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(out);
        }
    }

    @Test
    void invalidOptionsNameTheField() {
        assertThatThrownBy(() -> ImagePreprocessor.builder().size(0))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("image.size: must be 1..16384, was 0");
        assertThatThrownBy(() -> ImagePreprocessor.builder().maxPixels(-1))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageStartingWith("image.maxPixels");
        assertThatThrownBy(() -> ImagePreprocessor.builder().resizePolicy(null))
                .isInstanceOf(InvalidConfigurationException.class).hasMessage("image.resizePolicy: is required");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(dev.fastvlm.ResizePolicy.class)
    void anImageAlreadyAtTheTargetSizeKeepsItsPixelsAsPilsResizeDoes(dev.fastvlm.ResizePolicy policy) {
        byte[] rgb = new byte[33 * 33 * 3];
        new java.util.Random(7).nextBytes(rgb);
        RgbImage resized = ImagePreprocessor.builder().size(33).resizePolicy(policy).build()
                .resize(new RgbImage(33, 33, rgb.clone()));
        assertThat(resized.width()).isEqualTo(33);
        assertThat(resized.rgb()).isEqualTo(rgb);
    }
}

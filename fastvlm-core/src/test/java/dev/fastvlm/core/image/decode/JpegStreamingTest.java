package dev.fastvlm.core.image.decode;

import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.PilGoldens;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The resampler reading libjpeg-turbo's rows while it is still decoding ({@link ScanlineWatch})
 * gives the bytes of decoding first and resampling after, and still rejects a cut file.
 */
class JpegStreamingTest {
    private static final ImagePreprocessor PRE = ImagePreprocessor.builder().size(300).build();

    @BeforeEach
    void needsLibjpegTurbo() {
        assumeTrue(ImageDecoder.turboJpegAvailable(), "libturbojpeg is not installed");
    }

    @Test
    void debiansLibturbojpegIsFollowedRowByRow() throws IOException {
        // Otherwise the overlap silently falls back to one call, and the tests below prove nothing new.
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0")), "no Debian libturbojpeg0 here");
        boolean large = TurboJpegDecoder.INSTANCE.decodeThen(jpeg(1500, 1100, false), "big.jpg", Long.MAX_VALUE,
                (w, h) -> true, SourcePixels::arriving);
        assertThat(large).isTrue();
        boolean small = TurboJpegDecoder.INSTANCE.decodeThen(PilGoldens.load("sources/photo420.jpg", false),
                "photo420.jpg", Long.MAX_VALUE, (w, h) -> true, SourcePixels::arriving);
        assertThat(small).as("a small image is decoded in one call").isFalse();
    }

    @ParameterizedTest(name = "progressive {0}")
    @ValueSource(booleans = {false, true})
    void rowsReadWhileDecodingEqualTheFinishedImage(boolean progressive) throws IOException {
        byte[] jpeg = jpeg(1500, 1100, progressive);
        byte[] oneCall = PRE.resize(TurboJpegDecoder.INSTANCE.decode(jpeg, "big.jpg", Long.MAX_VALUE)).rgb();
        for (int i = 0; i < 3; i++) {
            assertThat(PRE.preprocess(ImageInput.of(jpeg, "big.jpg")).pixels().rgb()).isEqualTo(oneCall);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 10, 100})
    void cutFileIsRejectedAfterItsRowsWereRead(int fraction) throws IOException {
        byte[] jpeg = jpeg(1500, 1100, false);
        byte[] cut = Arrays.copyOf(jpeg, jpeg.length - jpeg.length / fraction);
        assertThatThrownBy(() -> PRE.preprocess(ImageInput.of(cut, "cut.jpg")))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageStartingWith("cut.jpg: truncated or corrupt JPEG data");
    }

    private static byte[] jpeg(int w, int h, boolean progressive) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, (x * 255 / w) << 16 | (y * 255 / h) << 8 | ((x * 7) ^ (y * 3)) & 0xff);
            }
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        if (progressive) {
            param.setProgressiveMode(ImageWriteParam.MODE_DEFAULT);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (MemoryCacheImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }
}

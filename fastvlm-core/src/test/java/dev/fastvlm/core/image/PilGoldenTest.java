package dev.fastvlm.core.image;

import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.decode.ImageDecoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Byte-for-byte comparison with PIL on every committed golden case. */
class PilGoldenTest {
    private static final Logger LOG = LoggerFactory.getLogger(PilGoldenTest.class);
    /** Largest per-channel difference seen per source when decoding with ImageIO instead of PIL's decoder. */
    private static final Map<String, Integer> IMAGE_IO_MAX_DIFF = new TreeMap<>();

    static Stream<PilGoldens.Case> lossless() {
        return PilGoldens.all().stream().filter(c -> c.kind().equals("lossless"));
    }

    static Stream<PilGoldens.Case> jpeg() {
        return PilGoldens.all().stream().filter(c -> c.kind().equals("jpeg"));
    }

    static Stream<PilGoldens.Case> lossyWithPixels() {
        return PilGoldens.all().stream().filter(c -> !c.kind().equals("lossless") && c.pixels() != null);
    }

    @Test
    void libjpegTurboIsFoundWhereTheSystemHasIt() {
        // Otherwise the exact JPEG cases below would be skipped without anyone noticing.
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libturbojpeg.so.0")),
                "no Debian libturbojpeg0 here");
        assertThat(ImageDecoder.turboJpegAvailable()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossless")
    void losslessSourcesMatchPilExactly(PilGoldens.Case c) throws IOException {
        assertMatches(c, ImageDecoder.standard());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("jpeg")
    void jpegThroughLibjpegTurboMatchesPilExactly(PilGoldens.Case c) throws IOException {
        Assumptions.assumeTrue(ImageDecoder.turboJpegAvailable(), "libturbojpeg is not installed");
        assertMatches(c, ImageDecoder.standard());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lossyWithPixels")
    void otherDecodersStayCloseToPil(PilGoldens.Case c) {
        PreprocessedImage out = preprocessor(c, ImageDecoder.imageIo()).preprocess(ImageInput.of(c.sourceBytes(), c.source()));
        byte[] actual = out.pixels().rgb();
        int max = 0;
        long sum = 0;
        for (int i = 0; i < actual.length; i++) {
            int diff = Math.abs((actual[i] & 0xff) - (c.pixels()[i] & 0xff));
            max = Math.max(max, diff);
            sum += diff;
        }
        double mean = (double) sum / actual.length;
        IMAGE_IO_MAX_DIFF.merge(c.source(), max, Math::max);
        LOG.info("ImageIO vs PIL for {}: max {}, mean {}", c, max, String.format("%.3f", mean));
        if (c.kind().equals("jpeg")) {
            // The JDK's IJG 6b decoder: same ISLOW IDCT and fancy upsampling as libjpeg-turbo.
            assertThat(max).as("max |ImageIO - PIL| for %s", c).isLessThanOrEqualTo(1);
        } else {
            // TwelveMonkeys' own VP8 decoder is not libwebp: close on average, far off at some pixels.
            assertThat(mean).as("mean |ImageIO - PIL| for %s", c).isLessThan(8.0);
        }
    }

    @AfterAll
    static void reportImageIoDifferences() {
        if (!IMAGE_IO_MAX_DIFF.isEmpty()) {
            LOG.info("max per-channel difference, ImageIO decoder vs PIL: {}", IMAGE_IO_MAX_DIFF);
        }
    }

    private static void assertMatches(PilGoldens.Case c, ImageDecoder decoder) throws IOException {
        PreprocessedImage out = preprocessor(c, decoder).preprocess(ImageInput.of(c.sourceBytes(), c.source()));
        if (c.pixels() != null) {
            assertThat(differingBytes(out.pixels().rgb(), c.pixels())).as("differing bytes for %s", c).isZero();
        }
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        out.writeTo(file);
        assertThat(file.size()).isEqualTo(out.byteSize());
        assertThat(sha256(file.toByteArray())).as("sha256 of the output file for %s", c).isEqualTo(c.sha256());
    }

    static ImagePreprocessor preprocessor(PilGoldens.Case c, ImageDecoder decoder) {
        return ImagePreprocessor.builder().size(c.size()).resizePolicy(c.policy()).layout(c.layout())
                .applyExifOrientation(c.exif()).decoder(decoder).build();
    }

    static int differingBytes(byte[] actual, byte[] expected) {
        if (actual.length != expected.length) {
            return Math.max(actual.length, expected.length);
        }
        int n = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] != expected[i]) {
                n++;
            }
        }
        return n;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

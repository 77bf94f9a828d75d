package dev.fastvlm.core.image;

import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.decode.PngDecoderTest;
import dev.fastvlm.transport.Deadline;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A request's cancel (its thread's interrupt) or its {@link Deadline} stops image decoding and
 * resampling between rows: the request ends with {@link CancelledException} or
 * {@link FastVlmTimeoutException} instead of finishing the image first.
 */
class PreprocessingCancelTest {

    private static final int WIDTH = 3000;
    private static final int HEIGHT = 2400;
    /** Noise, so the PNG does not shrink and inflating it is real work; large enough to be decoded on a pool thread. */
    private static byte[] largePng;
    private static byte[] smallPng;
    private static byte[] largeBmp;
    private final ImagePreprocessor preprocessor = ImagePreprocessor.builder().size(1024).build();

    @BeforeAll
    static void images() throws IOException {
        byte[] raw = new byte[WIDTH * HEIGHT * 3];
        new Random(23).nextBytes(raw);
        largePng = PngDecoderTest.png(WIDTH, HEIGHT, 2, raw, 0, 1 << 20);
        byte[] small = new byte[400 * 400 * 3];
        new Random(5).nextBytes(small);
        smallPng = PngDecoderTest.png(400, 400, 2, small, 0, 1 << 16);
        BufferedImage bmp = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_3BYTE_BGR);
        System.arraycopy(raw, 0, ((java.awt.image.DataBufferByte) bmp.getRaster().getDataBuffer()).getData(), 0,
                raw.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(bmp, "bmp", out);
        largeBmp = out.toByteArray();
    }

    @AfterEach
    void clearInterrupt() {
        Thread.interrupted();
    }

    @Test
    void aCancelledRequestDoesNotStartOnItsImage() {
        for (byte[] image : new byte[][] {largePng, smallPng, largeBmp}) {
            Thread.currentThread().interrupt();
            assertThatThrownBy(() -> preprocessor.preprocess(ImageInput.of(image, "image")))
                    .isInstanceOf(CancelledException.class);
            assertThat(Thread.interrupted()).as("the interrupt stays set for the caller").isTrue();
        }
        // The streaming path too (a PNG at the output size, inflated on another thread while it is written).
        ImagePreprocessor sameSize = ImagePreprocessor.builder().size(400).build();
        Thread.currentThread().interrupt();
        assertThatThrownBy(() -> sameSize.preprocessStreaming(ImageInput.of(smallPng, "small.png"))
                .writeTo(new ByteArrayOutputStream())).isInstanceOf(CancelledException.class);
    }

    @Test
    void aRequestPastItsDeadlineStopsPreprocessing() {
        for (byte[] image : new byte[][] {largePng, smallPng, largeBmp}) {
            Deadline expired = Deadline.after(Duration.ZERO, "describe");
            assertThatThrownBy(() -> expired.call(() -> preprocessor.preprocess(ImageInput.of(image, "image"))))
                    .isInstanceOf(FastVlmTimeoutException.class)
                    .hasMessageContaining("describe");
        }
    }

    @Test
    void aDeadlineThatPassesWhilePreprocessingStopsItBetweenRows() {
        for (String name : new String[] {"large.png", "large.bmp"}) {
            byte[] image = name.endsWith(".png") ? largePng : largeBmp;
            long whole = warmMillis(image);
            // Only a check between rows can end a preprocess that is under way: without one it would succeed.
            Deadline soon = Deadline.after(Duration.ofMillis(Math.max(1, whole / 4)), "describe");
            assertThatThrownBy(() -> soon.call(() -> preprocessor.preprocess(ImageInput.of(image, "image"))))
                    .as("%s, whose preprocess takes %d ms, with a deadline of a quarter of that", name, whole)
                    .isInstanceOf(FastVlmTimeoutException.class);
        }
    }

    @Test
    void anInterruptWhilePreprocessingStopsItBetweenRows() throws Exception {
        for (String name : new String[] {"large.png", "large.bmp"}) {
            byte[] image = name.endsWith(".png") ? largePng : largeBmp;
            long whole = warmMillis(image);
            CompletableFuture<Thread> started = new CompletableFuture<>();
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            Thread request = new Thread(() -> {
                started.complete(Thread.currentThread());
                try {
                    preprocessor.preprocess(ImageInput.of(image, "image"));
                    ended.complete(null);
                } catch (Throwable t) {
                    ended.complete(t);
                }
            }, "test-request");
            request.start();
            started.get();
            Thread.sleep(Math.max(1, whole / 4));
            long interrupted = System.nanoTime();
            request.interrupt();
            Throwable outcome = ended.get(1, TimeUnit.MINUTES);
            assertThat(outcome).as("%s, whose preprocess takes %d ms, interrupted after a quarter of that", name, whole)
                    .isInstanceOf(CancelledException.class);
            assertThat(millisSince(interrupted)).as("%s ended within the second a cancel may take", name).isLessThan(1000);
            request.join();
        }
    }

    /** How long preprocessing {@code image} takes once the code is warm: the shorter of two runs. */
    private long warmMillis(byte[] image) {
        return Math.min(millis(() -> preprocessor.preprocess(ImageInput.of(image, "image"))),
                millis(() -> preprocessor.preprocess(ImageInput.of(image, "image"))));
    }

    private static long millis(Runnable work) {
        long start = System.nanoTime();
        work.run();
        return millisSince(start);
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

}

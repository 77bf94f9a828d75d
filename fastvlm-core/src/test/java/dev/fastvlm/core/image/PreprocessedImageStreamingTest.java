package dev.fastvlm.core.image;

import dev.fastvlm.core.image.decode.ArrivingRows;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** Writing a tensor whose rows are still arriving: the bytes, and when the stream is flushed. */
class PreprocessedImageStreamingTest {

    private static final int SIZE = 1024;
    private static final int ROW_BYTES = SIZE * 3;

    /** Rows that arrive only when waited for, so that the writer always finds the next ones missing. */
    private static final class LateRows implements ArrivingRows {
        private final boolean alwaysReady;
        private int arrived;

        LateRows(boolean alwaysReady) {
            this.alwaysReady = alwaysReady;
        }

        @Override
        public void await(int rows) {
            arrived = Math.max(arrived, rows);
        }

        @Override
        public int available() {
            return alwaysReady ? SIZE : arrived;
        }
    }

    /** Records how many bytes had been written at each flush. */
    private static final class FlushLog extends ByteArrayOutputStream {
        final List<Integer> flushedAt = new ArrayList<>();

        @Override
        public void flush() {
            flushedAt.add(size());
        }
    }

    private static byte[] strided(byte[] pixels, int stride, int offset) {
        byte[] rows = new byte[stride * SIZE];
        for (int y = 0; y < SIZE; y++) {
            System.arraycopy(pixels, y * ROW_BYTES, rows, y * stride + offset, ROW_BYTES);
        }
        return rows;
    }

    @Test
    void whatIsWrittenIsFlushedBeforeWaitingForTheDecoderOnceItIsWorthAMessage() throws Exception {
        byte[] pixels = new byte[SIZE * ROW_BYTES];
        new Random(3).nextBytes(pixels);
        // PNG-like rows: a filter-type byte before each row's pixels.
        PreprocessedImage image = new PreprocessedImage(SIZE, SIZE, strided(pixels, ROW_BYTES + 1, 1), 1,
                ROW_BYTES + 1, new LateRows(false), OutputLayout.UINT8_HWC);
        FlushLog out = new FlushLog();
        image.writeTo(out);

        assertThat(out.toByteArray()).isEqualTo(pixels);
        assertThat(out.flushedAt).as("flushed along the way, not only at the end").hasSizeGreaterThan(5);
        int previous = 0;
        for (int at : out.flushedAt) {
            assertThat(at - previous).as("bytes per flush").isGreaterThanOrEqualTo(256 * 1024);
            previous = at;
        }
    }

    @Test
    void rowsThatAreAlreadyThereAreWrittenWithoutFlushes() throws Exception {
        byte[] pixels = new byte[SIZE * ROW_BYTES];
        new Random(4).nextBytes(pixels);
        PreprocessedImage image = new PreprocessedImage(SIZE, SIZE, pixels, 0, ROW_BYTES, new LateRows(true),
                OutputLayout.UINT8_HWC);
        FlushLog out = new FlushLog();
        image.writeTo(out);

        assertThat(out.toByteArray()).isEqualTo(pixels);
        assertThat(out.flushedAt).isEmpty();
    }
}

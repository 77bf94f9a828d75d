package dev.fastvlm.core.image.decode;

import dev.fastvlm.InvalidInputException;

import java.util.zip.Adler32;

/**
 * An 8-bit RGB PNG whose rows a pool thread inflates while the consumer's thread checks and
 * unfilters each one in place as it first asks for it ({@link #await}), so the two halves of PNG
 * decoding run on different cores. The pixels of row {@code y} are at {@code y * stride + 1} of
 * {@link #raw}.
 */
final class PngRows implements ArrivingRows, PngDecoder.RowProgress {
    private final PngDecoder png;
    private final byte[] raw;
    private final RowGate inflated = new RowGate();
    private final Object unfiltering = new Object();
    private volatile int unfiltered;
    /** Of the rows unfiltered so far, as inflated (filter bytes included), guarded by {@code unfiltering}. */
    private final Adler32 adler = new Adler32();
    /** The zlib stream's checksum, set before the last rows are reported; null when it has none. */
    private volatile Integer expectedAdler;
    private InvalidInputException mismatch;

    private PngRows(PngDecoder png) {
        this.png = png;
        this.raw = new byte[png.filteredRowBytes() * png.height()];
    }

    /** Starts inflating on a pool thread; each row is usable once {@link #await}ed. */
    static PngRows startInflating(PngDecoder png) {
        PngRows rows = new PngRows(png);
        DecodeThreads.POOL.execute(rows::inflate);
        return rows;
    }

    /** Runs on the pool thread: inflates every row, or reports why it could not. */
    private void inflate() {
        try {
            png.inflate(raw, inflated, checksum -> expectedAdler = checksum);
        } catch (Throwable t) {
            inflated.fail(t);
        }
    }

    /** The inflated rows, each behind its filter-type byte; row {@code y} is usable once {@link #await}ed. */
    byte[] raw() {
        return raw;
    }

    /** The rows as the resampler reads them, once {@link #await}ed. */
    SourcePixels pixels() {
        return SourcePixels.strided(png.width(), png.height(), raw, 1, png.filteredRowBytes(), this);
    }

    @Override
    public boolean rowsDone(int rows) {
        return inflated.rowsDone(rows);
    }

    /** The consumer no longer needs rows: inflating stops at its next report. */
    void cancel() {
        inflated.cancel();
    }

    @Override
    public int available() {
        return unfiltered;
    }

    /** True once the rows are inflated: unfiltering them is the caller's own work, not a wait. */
    @Override
    public boolean ready(int rows) {
        return inflated.available() >= rows;
    }

    /** Waits for, and unfilters, the first {@code rows} rows; the caller's cancel or deadline stops it between rows. */
    @Override
    public void await(int rows) {
        try {
            StopCheck.checkCurrentRequest();
        } catch (RuntimeException e) {
            inflated.cancel();
            throw e;
        }
        if (unfiltered >= rows) {
            return;
        }
        inflated.await(rows);
        synchronized (unfiltering) {
            if (mismatch != null) {
                throw mismatch;
            }
            int stride = png.filteredRowBytes();
            for (int y = unfiltered; y < rows; y++) {
                adler.update(raw, y * stride, stride);
                if (y == png.height() - 1) {
                    checkAdler();
                }
                png.unfilterInPlace(raw, y);
                unfiltered = y + 1;
            }
        }
    }

    private void checkAdler() {
        Integer expected = expectedAdler;
        if (expected != null && expected != (int) adler.getValue()) {
            mismatch = png.checksumMismatch((int) adler.getValue(), expected);
            throw mismatch;
        }
    }
}

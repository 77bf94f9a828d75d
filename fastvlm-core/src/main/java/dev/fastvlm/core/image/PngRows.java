package dev.fastvlm.core.image;

/**
 * An 8-bit RGB PNG whose rows a pool thread inflates while the consumer's thread unfilters each
 * one in place as it first asks for it ({@link #await}), so the two halves of PNG decoding run
 * on different cores. The pixels of row {@code y} are at {@code y * stride + 1} of {@link #raw}.
 */
final class PngRows implements ArrivingRows, PngDecoder.RowProgress {
    private final PngDecoder png;
    private final byte[] raw;
    private final RowGate inflated = new RowGate();
    private final Object unfiltering = new Object();
    private volatile int unfiltered;

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
            png.inflate(raw, inflated);
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

    @Override
    public void await(int rows) {
        if (unfiltered >= rows) {
            return;
        }
        inflated.await(rows);
        synchronized (unfiltering) {
            for (int y = unfiltered; y < rows; y++) {
                png.unfilterInPlace(raw, y);
                unfiltered = y + 1;
            }
        }
    }
}

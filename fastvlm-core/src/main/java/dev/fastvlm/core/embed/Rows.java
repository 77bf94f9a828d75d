package dev.fastvlm.core.embed;

import dev.fastvlm.core.tensor.Dequantizer;

import java.nio.ByteBuffer;

/**
 * A list of embedding rows, each still in its stored form inside a (mapped) little-endian buffer:
 * either the first {@code count} rows of the buffer, or the rows a list of indices picks.
 * Nothing is copied until the rows are written.
 */
final class Rows {
    private final ByteBuffer[] segments;
    private final int rowsPerSegment;
    private final int[] picks;
    private final int count;
    private final int width;
    private final int rowBytes;
    private final Dequantizer dequantizer;

    private Rows(ByteBuffer[] segments, int rowsPerSegment, int[] picks, int count, int width, Dequantizer dequantizer) {
        this.segments = segments;
        this.rowsPerSegment = rowsPerSegment;
        this.picks = picks;
        this.count = count;
        this.width = width;
        this.rowBytes = width * dequantizer.type().bytes();
        this.dequantizer = dequantizer;
    }

    /** The first {@code count} rows of {@code data}. */
    static Rows leading(ByteBuffer data, int count, int width, Dequantizer dequantizer) {
        return new Rows(new ByteBuffer[] {data}, Integer.MAX_VALUE, null, count, width, dequantizer);
    }

    /** The rows {@code picks} of a table split into segments of {@code rowsPerSegment} rows. */
    static Rows picked(ByteBuffer[] segments, int rowsPerSegment, int[] picks, int width, Dequantizer dequantizer) {
        return new Rows(segments, rowsPerSegment, picks, picks.length, width, dequantizer);
    }

    int count() {
        return count;
    }

    int width() {
        return width;
    }

    /** Writes row {@code r} in float32 into {@code dst[0..width)}. */
    void toFloats(int r, float[] dst) {
        int source = source(r);
        dequantizer.dequantize(segments[source / rowsPerSegment], byteIndex(source), (long) source * width, dst, 0,
                width);
    }

    /**
     * Writes rows {@code [from, to)} as little-endian float32 at {@code dst}'s position, advancing
     * it: a bulk copy for float32 rows, a table lookup for 8-bit ones. Consecutive stored rows
     * (all of them unless picked from a table) go in one call, so the inner loop runs over the
     * whole block rather than row by row.
     */
    void writeFloat32(int from, int to, ByteBuffer dst) {
        int at = dst.position();
        if (picks == null) {
            dequantizer.dequantizeToFloat32(segments[0], from * rowBytes, (long) from * width, dst, at,
                    (to - from) * width);
        } else {
            for (int r = from; r < to; r++) {
                int source = picks[r];
                dequantizer.dequantizeToFloat32(segments[source / rowsPerSegment], byteIndex(source),
                        (long) source * width, dst, at + 4 * (r - from) * width, width);
            }
        }
        ((java.nio.Buffer) dst).position(at + 4 * (to - from) * width);
    }

    private int source(int r) {
        return picks == null ? r : picks[r];
    }

    private int byteIndex(int source) {
        return (source % rowsPerSegment) * rowBytes;
    }

    /** Row {@code r} as a new float32 array (dequantized if stored fixed-point). */
    float[] row(int r) {
        if (r < 0 || r >= count()) {
            throw new IndexOutOfBoundsException("row " + r + " of " + count());
        }
        float[] values = new float[width()];
        toFloats(r, values);
        return values;
    }
}

package dev.fastvlm.core.image;

import java.nio.ByteBuffer;

/**
 * Decoded RGB pixels as the resampler reads them, one row at a time: a Java array (an
 * {@link RgbImage}, or rows at a stride inside a decoder's buffer), or memory outside the heap
 * that a native decoder wrote, read in place rather than copied whole into the heap. The rows may
 * still be arriving from a decoder on another thread ({@link #awaitRows}).
 */
final class SourcePixels {
    private final int width;
    private final int height;
    private final RgbImage image;
    private final byte[] heap;
    private final int offset;
    private final int stride;
    private final ByteBuffer direct;
    private final ArrivingRows gate;

    private SourcePixels(int width, int height, RgbImage image, byte[] heap, int offset, int stride,
                         ByteBuffer direct, ArrivingRows gate) {
        this.width = width;
        this.height = height;
        this.image = image;
        this.heap = heap;
        this.offset = offset;
        this.stride = stride;
        this.direct = direct;
        this.gate = gate;
    }

    static SourcePixels of(RgbImage image) {
        return arriving(image, null);
    }

    /** An image whose rows another thread is still decoding, top to bottom; {@code gate} says how far. */
    static SourcePixels arriving(RgbImage image, ArrivingRows gate) {
        return new SourcePixels(image.width(), image.height(), image, image.rgb(), 0, image.width() * 3, null, gate);
    }

    /** RGB rows in an array, row {@code y} at {@code offset + y * stride}, arriving as {@code gate} says. */
    static SourcePixels strided(int width, int height, byte[] rgb, int offset, int stride, ArrivingRows gate) {
        return new SourcePixels(width, height, null, rgb, offset, stride, null, gate);
    }

    /** {@code width * height * 3} bytes of RGB, interleaved, row-major, from position 0. */
    static SourcePixels of(int width, int height, ByteBuffer rgb) {
        return of(width, height, rgb, null);
    }

    /** As {@link #of(int, int, ByteBuffer)}, with rows still arriving if {@code gate} is not null. */
    static SourcePixels of(int width, int height, ByteBuffer rgb, ArrivingRows gate) {
        if ((long) width * height * 3 > rgb.capacity()) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs more than " + rgb.capacity() + " bytes");
        }
        return new SourcePixels(width, height, null, null, 0, width * 3, rgb, gate);
    }

    /** The pixels as an image on the heap: the image itself, or a copy of memory outside the heap. */
    RgbImage toRgbImage() {
        awaitRows(height);
        if (image != null) {
            return image;
        }
        byte[] rgb = new byte[width * height * 3];
        if (direct != null) {
            direct.slice(0, rgb.length).get(rgb);
        } else {
            for (int y = 0; y < height; y++) {
                System.arraycopy(heap, offset + y * stride, rgb, y * width * 3, width * 3);
            }
        }
        return new RgbImage(width, height, rgb);
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /** Whether rows are still arriving, so must be read in order, after {@link #awaitRows}. */
    boolean arriving() {
        return gate != null;
    }

    /** How many rows are there now, without waiting. */
    int availableRows() {
        return gate == null ? height : Math.min(height, gate.available());
    }

    /** Blocks until the first {@code rows} rows are there; rethrows the decoder's failure. */
    void awaitRows(int rows) {
        if (gate != null) {
            gate.await(rows);
        }
    }

    boolean onHeap() {
        return heap != null;
    }

    /**
     * The array holding row {@code y} from {@link #rowOffset}: the pixels themselves on the heap,
     * otherwise {@code scratch} (of {@code width * 3} bytes) filled with the row.
     */
    byte[] row(int y, byte[] scratch) {
        if (heap != null) {
            return heap;
        }
        direct.slice(y * width * 3, width * 3).get(scratch, 0, width * 3);
        return scratch;
    }

    int rowOffset(int y) {
        return heap != null ? offset + y * stride : 0;
    }
}

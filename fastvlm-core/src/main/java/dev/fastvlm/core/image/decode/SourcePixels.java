package dev.fastvlm.core.image.decode;

import java.nio.ByteBuffer;

/**
 * Decoded RGB pixels as the resampler reads them, one row at a time: a Java array (an
 * {@link RgbImage}, or rows at a stride inside a decoder's buffer), or memory outside the heap
 * that a native decoder wrote, read in place rather than copied whole into the heap. The rows may
 * still be arriving from a decoder on another thread ({@link #awaitRows}).
 */
public final class SourcePixels {
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

    /**
     * Pixels that are all there.
     *
     * @param image the decoded image, read in place
     * @return its pixels
     */
    public static SourcePixels of(RgbImage image) {
        return arriving(image, null);
    }

    /**
     * An image whose rows another thread is still decoding, top to bottom.
     *
     * @param image the image the decoder writes into
     * @param gate  how far the decoder has got; null when every row is there
     * @return its pixels, read in place
     */
    public static SourcePixels arriving(RgbImage image, ArrivingRows gate) {
        return new SourcePixels(image.width(), image.height(), image, image.rgb(), 0, image.width() * 3, null, gate);
    }

    /** RGB rows in an array, row {@code y} at {@code offset + y * stride}, arriving as {@code gate} says. */
    static SourcePixels strided(int width, int height, byte[] rgb, int offset, int stride, ArrivingRows gate) {
        return new SourcePixels(width, height, null, rgb, offset, stride, null, gate);
    }

    /**
     * Pixels in memory outside the heap, read in place.
     *
     * @param width  pixels per row
     * @param height rows
     * @param rgb    {@code width * height * 3} bytes of RGB, interleaved, row-major, from position 0
     * @return the pixels, all there
     * @throws IllegalArgumentException when {@code rgb} is smaller than {@code width * height * 3} bytes
     */
    public static SourcePixels of(int width, int height, ByteBuffer rgb) {
        return of(width, height, rgb, null);
    }

    /** As {@link #of(int, int, ByteBuffer)}, with rows still arriving if {@code gate} is not null. */
    static SourcePixels of(int width, int height, ByteBuffer rgb, ArrivingRows gate) {
        if ((long) width * height * 3 > rgb.capacity()) {
            throw new IllegalArgumentException(width + "x" + height + " RGB needs more than " + rgb.capacity() + " bytes");
        }
        return new SourcePixels(width, height, null, null, 0, width * 3, rgb, gate);
    }

    /**
     * The pixels as an image on the heap, once every row is there.
     *
     * @return the image itself, or a copy of rows at a stride or of memory outside the heap
     * @throws dev.fastvlm.InvalidInputException when rows still arriving turn out corrupt or truncated
     */
    public RgbImage toRgbImage() {
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

    /** {@return pixels per row} */
    public int width() {
        return width;
    }

    /** {@return rows} */
    public int height() {
        return height;
    }

    /**
     * Whether rows are still arriving, so must be read in order, after {@link #awaitRows}.
     *
     * @return {@code true} when a decoder on another thread may still be writing rows
     */
    public boolean arriving() {
        return gate != null;
    }

    /**
     * How many rows are there now, without waiting.
     *
     * @return rows from the top that can be read, at most the height
     */
    public int availableRows() {
        return gate == null ? height : Math.min(height, gate.available());
    }

    /**
     * Blocks until the first {@code rows} rows are there; rethrows the decoder's failure.
     *
     * @param rows how many rows, from the top
     * @throws dev.fastvlm.InvalidInputException when the decoder found the data corrupt or truncated
     */
    public void awaitRows(int rows) {
        if (gate != null) {
            gate.await(rows);
        }
    }

    /**
     * Whether the rows lie in a Java array, so {@link #row} returns it without copying.
     *
     * @return {@code true} for pixels on the heap, {@code false} for memory a native decoder wrote
     */
    public boolean onHeap() {
        return heap != null;
    }

    /**
     * How far apart rows are in the array {@link #row} returns for pixels on the heap.
     *
     * @return bytes from one row's first pixel to the next row's
     */
    public int stride() {
        return stride;
    }

    /**
     * How far the decoder writing the rows has got.
     *
     * @return the decoder's progress, or null when every row is there
     */
    public ArrivingRows rowsArriving() {
        return gate;
    }

    /**
     * The array holding row {@code y} from {@link #rowOffset}: the pixels themselves on the heap,
     * otherwise {@code scratch} (of {@code width * 3} bytes) filled with the row.
     *
     * @param y       the row, from 0; arriving rows must have been awaited
     * @param scratch room for one row, used only for pixels outside the heap
     * @return the array holding the row
     */
    public byte[] row(int y, byte[] scratch) {
        if (heap != null) {
            return heap;
        }
        direct.slice(y * width * 3, width * 3).get(scratch, 0, width * 3);
        return scratch;
    }

    /**
     * Where row {@code y} starts in the array {@link #row} returns.
     *
     * @param y the row, from 0
     * @return the index of its first byte
     */
    public int rowOffset(int y) {
        return heap != null ? offset + y * stride : 0;
    }
}

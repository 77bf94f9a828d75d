package dev.fastvlm.core.image;

import dev.fastvlm.core.image.decode.ArrivingRows;
import dev.fastvlm.core.image.decode.RgbImage;
import dev.fastvlm.core.image.decode.SourcePixels;
import dev.fastvlm.core.tensor.RawTensors;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The vision encoder's input: the resized RGB pixels and the layout to write them in. Writing
 * converts on the fly, so a float32 tensor is never held in memory as a whole.
 */
public final class PreprocessedImage {
    private static final float[] UNIT = new float[256];
    private static final int CHUNK_VALUES = 16 * 1024;

    static {
        for (int i = 0; i < 256; i++) {
            // numpy: np.asarray(img, dtype=np.float32) / 255.0 divides in float32.
            UNIT[i] = (float) i / 255.0f;
        }
    }

    /** Rows per write while rows are still arriving: small enough to follow the decoder closely. */
    private static final int STREAM_ROWS = 16;
    /** Written bytes worth flushing before waiting for the decoder, so they travel meanwhile. */
    private static final int FLUSH_BEFORE_WAIT_BYTES = 256 * 1024;

    private final int width;
    private final int height;
    private final OutputLayout layout;
    /** Row {@code y}'s pixels are at {@code y * stride + rowOffset} of {@code rows}. */
    private final byte[] rows;
    private final int rowOffset;
    private final int stride;
    /** Null when every row is there; else how far the decoder writing {@code rows} has got. */
    private final ArrivingRows arriving;
    private RgbImage pixels;

    PreprocessedImage(RgbImage pixels, OutputLayout layout) {
        this(pixels.width(), pixels.height(), pixels.rgb(), 0, pixels.width() * 3, null, layout);
        this.pixels = pixels;
    }

    /** Rows that a decoder on another thread is still writing, in an array on the heap. */
    PreprocessedImage(SourcePixels arriving, OutputLayout layout) {
        this(arriving.width(), arriving.height(), arriving.row(0, null), arriving.rowOffset(0), arriving.stride(),
                arriving.rowsArriving(), layout);
    }

    /** Rows that a decoder on another thread is still writing, {@code stride} bytes apart. */
    PreprocessedImage(int width, int height, byte[] rows, int rowOffset, int stride, ArrivingRows arriving,
                      OutputLayout layout) {
        this.width = width;
        this.height = height;
        this.rows = rows;
        this.rowOffset = rowOffset;
        this.stride = stride;
        this.arriving = arriving;
        this.layout = layout;
    }

    /**
     * The resized RGB pixels (shared, not copied, when decoded contiguously); waits for rows still being decoded.
     *
     * @return the pixels
     * @throws dev.fastvlm.InvalidInputException when the image data turned out to be corrupt or truncated
     */
    public RgbImage pixels() {
        return complete();
    }

    /**
     * Waits until every row is decoded (at once for an image preprocessed in full).
     *
     * @return the pixels
     * @throws dev.fastvlm.InvalidInputException the image data turned out to be corrupt or truncated
     */
    public synchronized RgbImage complete() {
        if (arriving != null) {
            arriving.await(height);
        }
        if (pixels == null) {
            byte[] rgb = new byte[width * height * 3];
            for (int y = 0; y < height; y++) {
                System.arraycopy(rows, y * stride + rowOffset, rgb, y * width * 3, width * 3);
            }
            pixels = new RgbImage(width, height, rgb);
        }
        return pixels;
    }

    /** {@return how the tensor is laid out} */
    public OutputLayout layout() {
        return layout;
    }

    /**
     * Length of the tensor file in bytes.
     *
     * @return width times height times 3 times the bytes of one value
     */
    public long byteSize() {
        return (long) width * height * 3 * layout.bytesPerValue();
    }

    /**
     * Writes exactly {@link #byteSize()} bytes, little-endian; the stream is not closed. Rows still
     * being decoded are written as they arrive (uint8 layout), so the write overlaps the decode;
     * before waiting for the decoder, what has been written since the last flush is flushed once it
     * is worth a message, so that a transport sends it on while the decoder catches up rather than
     * all at the end.
     *
     * @param out the stream to write to
     * @throws IOException when {@code out} fails
     * @throws dev.fastvlm.InvalidInputException when rows still being decoded turn out corrupt or truncated
     */
    public void writeTo(OutputStream out) throws IOException {
        if (layout == OutputLayout.UINT8_HWC) {
            int rowBytes = width * 3;
            long unflushed = 0;
            for (int y = 0; y < height; y += STREAM_ROWS) {
                int count = Math.min(STREAM_ROWS, height - y);
                if (arriving != null) {
                    if (unflushed >= FLUSH_BEFORE_WAIT_BYTES && !arriving.ready(y + count)) {
                        out.flush();
                        unflushed = 0;
                    }
                    arriving.await(y + count);
                }
                unflushed += (long) count * rowBytes;
                if (stride == rowBytes) {
                    out.write(rows, y * stride + rowOffset, count * rowBytes);
                } else {
                    for (int row = y; row < y + count; row++) {
                        out.write(rows, row * stride + rowOffset, rowBytes);
                    }
                }
            }
            return;
        }
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_VALUES * 4).order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer floats = chunk.asFloatBuffer();
        forEachNchwValue(value -> {
            floats.put(value);
            if (!floats.hasRemaining()) {
                out.write(chunk.array(), 0, floats.position() * 4);
                ((java.nio.Buffer) floats).clear();
            }
        });
        out.write(chunk.array(), 0, floats.position() * 4);
    }

    /**
     * Writes exactly {@link #byteSize()} bytes little-endian at the buffer's position (whatever its
     * byte order) and advances the position.
     *
     * @param buffer the buffer to fill
     * @throws IllegalArgumentException when fewer than {@link #byteSize()} bytes remain
     */
    public void writeTo(ByteBuffer buffer) {
        if (buffer.remaining() < byteSize()) {
            throw new IllegalArgumentException("buffer has " + buffer.remaining() + " bytes left, need " + byteSize());
        }
        byte[] rgb = complete().rgb();
        if (layout == OutputLayout.UINT8_HWC) {
            buffer.put(rgb);
            return;
        }
        FloatBuffer floats = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        for (int c = 0; c < 3; c++) {
            for (int i = c; i < rgb.length; i += 3) {
                floats.put(UNIT[rgb[i] & 0xff]);
            }
        }
        ((java.nio.Buffer) buffer).position(buffer.position() + (int) byteSize());
    }

    /**
     * Writes the tensor file under a temporary name and moves it into place when complete (with
     * the mode the user's umask gives new files).
     *
     * @param file the tensor file
     * @throws dev.fastvlm.FastVlmException naming the file when it cannot be written
     */
    public void writeTo(Path file) {
        RawTensors.writeAtomically(file, out -> {
            BufferedOutputStream buffered = new BufferedOutputStream(out, 1 << 16);
            writeTo(buffered);
            buffered.flush();
        });
    }

    private interface FloatSink {
        void accept(float value) throws IOException;
    }

    private void forEachNchwValue(FloatSink sink) throws IOException {
        byte[] rgb = complete().rgb();
        for (int c = 0; c < 3; c++) {
            for (int i = c; i < rgb.length; i += 3) {
                sink.accept(UNIT[rgb[i] & 0xff]);
            }
        }
    }
}

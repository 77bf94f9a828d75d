package dev.fastvlm.core.image.decode;

import dev.fastvlm.InvalidInputException;

import java.util.OptionalInt;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The zlib stream split over a PNG's IDAT chunks, inflated as raw deflate data: this class reads
 * the two-byte zlib header itself and hands out the stream's Adler-32 trailer, so that whoever
 * takes the inflated rows checks them. zlib's own check would run on the inflating thread, which
 * sets the pace of a streamed PNG; there it is a tenth of the work on a photograph.
 */
final class IdatStream implements AutoCloseable {
    private final byte[] png;
    private final String name;
    private final Inflater inflater = new Inflater(true);
    /** The current chunk's data not yet given to the inflater or read here is {@code png[pos..end)}. */
    private int pos;
    private int end;
    /** Offset of the length field of the chunk after the current one. */
    private int nextChunk;

    IdatStream(byte[] png, int firstIdat, String name) {
        this.png = png;
        this.name = name;
        this.nextChunk = firstIdat;
        int cmf = readByte();
        int flg = readByte();
        // RFC 1950: deflate with at most a 32 KiB window, a header that is a multiple of 31, and
        // no preset dictionary (which PNG does not allow).
        if ((cmf & 0x0f) != 8 || cmf >>> 4 > 7 || (cmf << 8 | flg) % 31 != 0 || (flg & 0x20) != 0) {
            throw corrupt(String.format("bad zlib header 0x%02x%02x", cmf, flg));
        }
        feedRestOfChunk();
    }

    /** Fills {@code buf[off..off+len)} with inflated bytes, reading IDAT chunk after IDAT chunk. */
    void inflateFully(byte[] buf, int off, int len) {
        int filled = 0;
        try {
            while (filled < len) {
                int n = inflater.inflate(buf, off + filled, len - filled);
                filled += n;
                if (n == 0 && filled < len) {
                    if (inflater.finished() || inflater.needsDictionary()) {
                        throw corrupt("the compressed image data ends early");
                    }
                    if (inflater.needsInput()) {
                        nextChunk();
                        feedRestOfChunk();
                    }
                }
            }
        } catch (DataFormatException e) {
            throw corrupt("bad compressed image data (" + e.getMessage() + ")");
        }
    }

    /**
     * Once every row is inflated: the Adler-32 the stream gives for them, or empty when the
     * deflate data goes on past the image or the trailer is cut off. Neither is an error, as for
     * PIL and libpng, which stop reading once they have the rows.
     */
    OptionalInt trailer() {
        byte[] extra = new byte[1];
        try {
            while (!inflater.finished()) {
                if (inflater.inflate(extra) > 0) {
                    return OptionalInt.empty();
                }
                if (!inflater.finished()) {
                    if (!inflater.needsInput() || !hasNextChunk()) {
                        return OptionalInt.empty();
                    }
                    nextChunk();
                    feedRestOfChunk();
                }
            }
        } catch (DataFormatException e) {
            throw corrupt("bad compressed image data (" + e.getMessage() + ")");
        }
        // The trailer starts where the inflater stopped reading the input it was given.
        pos = end - inflater.getRemaining();
        int value = 0;
        for (int i = 0; i < 4; i++) {
            while (pos == end) {
                if (!hasNextChunk()) {
                    return OptionalInt.empty();
                }
                nextChunk();
            }
            value = value << 8 | png[pos++] & 0xff;
        }
        return OptionalInt.of(value);
    }

    @Override
    public void close() {
        inflater.end();
    }

    private int readByte() {
        while (pos == end) {
            nextChunk();
        }
        return png[pos++] & 0xff;
    }

    private void feedRestOfChunk() {
        inflater.setInput(png, pos, end - pos);
        pos = end;
    }

    private boolean hasNextChunk() {
        return nextChunk + 8 <= png.length && PngDecoder.readInt(png, nextChunk + 4) == PngDecoder.IDAT;
    }

    /** Moves to the data of the next IDAT chunk (perhaps empty). */
    private void nextChunk() {
        if (nextChunk + 8 > png.length) {
            throw corrupt("the file ends inside the image data");
        }
        int length = PngDecoder.readInt(png, nextChunk);
        if (PngDecoder.readInt(png, nextChunk + 4) != PngDecoder.IDAT) {
            throw corrupt("the image data ends early");
        }
        if (length < 0 || nextChunk + 8L + length > png.length) {
            throw corrupt("the file ends inside the image data");
        }
        pos = nextChunk + 8;
        end = pos + length;
        nextChunk = end + 4;
    }

    private InvalidInputException corrupt(String why) {
        return PngDecoder.corrupt(name, why);
    }
}

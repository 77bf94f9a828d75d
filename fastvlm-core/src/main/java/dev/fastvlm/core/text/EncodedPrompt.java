package dev.fastvlm.core.text;

import dev.fastvlm.InvalidInputException;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.UUID;

/**
 * A prompt's text token ids, without padding, and where the image's rows go.
 *
 * @param ids        the real text tokens (a copy is kept and returned)
 * @param imageIndex for {@link dev.fastvlm.ImageLayout#PLACEHOLDER}: the number of text tokens
 *                   before the vision rows; empty for {@link dev.fastvlm.ImageLayout#PREPEND},
 *                   where the vision rows precede every text token
 * @param padId      the tokenizer's padding id, used by {@link #toPaddedInt32(int)}
 */
public record EncodedPrompt(int[] ids, OptionalInt imageIndex, int padId) {

    /**
     * Copies the ids and checks the image index and padding id.
     *
     * @param ids the real text tokens (a copy is kept and returned)
     * @param imageIndex for {@link dev.fastvlm.ImageLayout#PLACEHOLDER}: the number of text tokens before the vision
     *     rows; empty for {@link dev.fastvlm.ImageLayout#PREPEND}, where the vision rows precede every text token
     * @param padId the tokenizer's padding id, used by {@link #toPaddedInt32(int)}
     * @throws IllegalArgumentException when {@code imageIndex} is outside {@code [0, ids.length]} or {@code padId} is
     *     negative
     */
    public EncodedPrompt {
        ids = ids.clone();
        if (imageIndex.isPresent() && (imageIndex.getAsInt() < 0 || imageIndex.getAsInt() > ids.length)) {
            throw new IllegalArgumentException("imageIndex " + imageIndex.getAsInt() + " outside [0, " + ids.length + "]");
        }
        if (padId < 0) {
            throw new IllegalArgumentException("padId must be >= 0, was " + padId);
        }
    }

    /**
     * The real text tokens.
     *
     * @return a copy of the ids
     */
    @Override
    public int[] ids() {
        return ids.clone();
    }

    /** {@return the number of real text tokens} */
    public int size() {
        return ids.length;
    }

    /**
     * The text embedder's input: int32 little-endian {@code [1, cacheLen]}, the ids then
     * {@link #padId()} up to {@code cacheLen}.
     *
     * @param cacheLen the text embedder's input length, &gt; 0
     * @return {@code 4 * cacheLen} bytes
     * @throws InvalidInputException when the prompt has more than {@code cacheLen} tokens: it is
     *                               never cut
     * @throws IllegalArgumentException when {@code cacheLen} is not positive
     */
    public byte[] toPaddedInt32(int cacheLen) {
        if (cacheLen <= 0) {
            throw new IllegalArgumentException("cacheLen must be > 0, was " + cacheLen);
        }
        if (ids.length > cacheLen) {
            throw new InvalidInputException("prompt has " + ids.length
                    + " text tokens but the text embedder takes at most cache_len=" + cacheLen);
        }
        ByteBuffer buffer = ByteBuffer.allocate(cacheLen * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < cacheLen; i++) {
            buffer.putInt(i < ids.length ? ids[i] : padId);
        }
        return buffer.array();
    }

    /**
     * Writes {@link #toPaddedInt32(int)} to {@code out}.
     *
     * @param out the stream to write to; not closed
     * @param cacheLen the text embedder's input length, &gt; 0
     * @throws IOException when {@code out} fails
     * @throws InvalidInputException when the prompt has more than {@code cacheLen} tokens
     */
    public void writePadded(OutputStream out, int cacheLen) throws IOException {
        out.write(toPaddedInt32(cacheLen));
    }

    /**
     * Writes {@link #toPaddedInt32(int)} to {@code file} atomically: a temporary sibling is written
     * and then moved over the final name, so a failure never leaves a partial file there.
     *
     * @param file the file to write
     * @param cacheLen the text embedder's input length, &gt; 0
     * @throws InvalidInputException when the prompt has more than {@code cacheLen} tokens
     * @throws java.io.UncheckedIOException when the file cannot be written
     */
    public void writePadded(Path file, int cacheLen) {
        byte[] bytes = toPaddedInt32(cacheLen);
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            // Not createTempFile: its owner-only permissions would carry over to the final file.
            tmp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // The move already happened or the write failed first: nothing useful to report.
                }
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EncodedPrompt other && Arrays.equals(ids, other.ids)
                && imageIndex.equals(other.imageIndex) && padId == other.padId;
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(ids) + imageIndex.hashCode()) + padId;
    }

    @Override
    public String toString() {
        return "EncodedPrompt[ids=" + Arrays.toString(ids) + ", imageIndex=" + imageIndex + ", padId=" + padId + "]";
    }
}

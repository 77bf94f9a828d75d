package dev.fastvlm.core.image.decode;

/** Rows of an image that a decoder on another thread is still writing, top to bottom. */
public interface ArrivingRows {
    /**
     * Blocks until the first {@code rows} rows are written; rethrows the decoder's failure.
     *
     * @param rows how many rows, from the top, must be there
     * @throws dev.fastvlm.InvalidInputException when the decoder found the data corrupt or truncated
     * @throws dev.fastvlm.CancelledException when the waiting request was cancelled
     */
    void await(int rows);

    /**
     * How many rows are written now, without waiting.
     *
     * @return the rows written, at least the height once all are
     */
    int available();

    /**
     * Whether {@link #await}{@code (rows)} would return without waiting for the decoder.
     *
     * @param rows how many rows, from the top
     * @return {@code true} when that many rows are written
     */
    default boolean ready(int rows) {
        return available() >= rows;
    }
}

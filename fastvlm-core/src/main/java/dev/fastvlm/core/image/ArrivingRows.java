package dev.fastvlm.core.image;

/** Rows of an image that a decoder on another thread is still writing, top to bottom. */
interface ArrivingRows {
    /** Blocks until the first {@code rows} rows are written; rethrows the decoder's failure. */
    void await(int rows);

    /** How many rows are written now, without waiting; at least the height once all are. */
    int available();

    /** Whether {@link #await}{@code (rows)} would return without waiting for the decoder. */
    default boolean ready(int rows) {
        return available() >= rows;
    }
}

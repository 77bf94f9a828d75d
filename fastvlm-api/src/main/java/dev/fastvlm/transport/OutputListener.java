package dev.fastvlm.transport;

/**
 * Receives a device program's output as it arrives (Genie streams its answer this way). Chunks are
 * raw bytes as the program wrote them: a chunk may end inside a line or a multi-byte character.
 * The arrays are reused after the call returns.
 */
public interface OutputListener {
    /** A listener that drops all output. */
    OutputListener NONE = new OutputListener() {
    };

    /**
     * Receives bytes the program wrote to stdout; ignores them unless overridden.
     *
     * @param data a buffer holding the bytes; reused after the call returns, so copy what you keep
     * @param offset index of the first byte in {@code data}
     * @param length number of bytes
     */
    default void onStdout(byte[] data, int offset, int length) {
    }

    /**
     * Receives bytes the program wrote to stderr; ignores them unless overridden.
     *
     * @param data a buffer holding the bytes; reused after the call returns, so copy what you keep
     * @param offset index of the first byte in {@code data}
     * @param length number of bytes
     */
    default void onStderr(byte[] data, int offset, int length) {
    }
}

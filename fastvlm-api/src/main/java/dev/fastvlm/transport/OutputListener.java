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

    default void onStdout(byte[] data, int offset, int length) {
    }

    default void onStderr(byte[] data, int offset, int length) {
    }
}

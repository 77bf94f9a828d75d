package dev.fastvlm.core.pipeline;

import dev.fastvlm.transport.OutputListener;

import java.nio.charset.StandardCharsets;

/**
 * Keeps the last bytes a device program writes to stdout, for its error message: Qualcomm's tools
 * print some failures there rather than on stderr.
 */
final class StdoutTail implements OutputListener {
    /** Bytes kept. */
    static final int LIMIT = 4000;

    private final byte[] ring = new byte[LIMIT];
    private long written;

    @Override
    public synchronized void onStdout(byte[] data, int offset, int length) {
        for (int i = Math.max(0, length - LIMIT); i < length; i++) {
            ring[(int) (written++ % LIMIT)] = data[offset + i];
        }
    }

    /** What was kept, oldest first, decoded as UTF-8 (a character cut at the start is replaced). */
    synchronized String text() {
        if (written <= LIMIT) {
            return new String(ring, 0, (int) written, StandardCharsets.UTF_8);
        }
        int start = (int) (written % LIMIT);
        byte[] ordered = new byte[LIMIT];
        System.arraycopy(ring, start, ordered, 0, LIMIT - start);
        System.arraycopy(ring, 0, ordered, LIMIT - start, start);
        return new String(ordered, StandardCharsets.UTF_8);
    }
}

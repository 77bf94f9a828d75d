package dev.fastvlm.adb;

import java.io.InputStream;
import java.io.OutputStream;

/**
 * One ADB stream to a device service ({@code sync:}, {@code shell,v2,raw:...}), the same to the
 * sync and shell clients whichever connection carries it: a stream of an {@link AdbWire} (direct
 * to adbd) or a socket of its own to the adb server ({@link ServerLink}).
 */
interface AdbStream extends AutoCloseable {

    /** What the service writes; ends (-1) when the stream closes. */
    InputStream input();

    /** Buffered: bytes go out when it is full or flushed. */
    OutputStream output();

    /** Closes both directions; safe from any thread, and more than once. */
    @Override
    void close();
}

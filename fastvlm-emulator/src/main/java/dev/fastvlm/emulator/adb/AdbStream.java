package dev.fastvlm.emulator.adb;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;

/**
 * One open ADB stream, seen by the service behind it as a blocking input and output.
 * Flow control follows the protocol: each WRTE we send waits for the peer's OKAY, and we
 * acknowledge the peer's WRTE only once the service has taken its payload, so a fast
 * sender cannot queue more than one message ahead of a slow service.
 */
public final class AdbStream implements AutoCloseable {
    private static final byte[] END = new byte[0];

    private final AdbConnection connection;
    private final int localId;
    private final int remoteId;
    private final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
    private final Semaphore writeWindow = new Semaphore(1);
    private volatile boolean closed;
    private final InputStream in = new StreamInput();
    private final OutputStream out = new StreamOutput();

    AdbStream(AdbConnection connection, int localId, int remoteId) {
        this.connection = connection;
        this.localId = localId;
        this.remoteId = remoteId;
    }

    int localId() {
        return localId;
    }

    /**
     * What the peer writes to this stream; ends when the peer closes it.
     *
     * @return the stream's input
     */
    public InputStream input() {
        return in;
    }

    /**
     * Sent to the peer as WRTE messages of at most the negotiated payload size, unbuffered.
     *
     * @return the stream's output
     */
    public OutputStream output() {
        return out;
    }

    void received(byte[] payload) {
        incoming.add(payload);
    }

    void acknowledged() {
        writeWindow.release();
    }

    /** The peer closed the stream (or the connection ended). */
    void remoteClosed() {
        closed = true;
        incoming.add(END);
        writeWindow.release(Integer.MAX_VALUE / 2);
    }

    /**
     * True once either side has closed the stream.
     *
     * @return {@code true} after a CLSE either way
     */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the stream from the device side (sends CLSE once). */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            connection.closeStream(this, remoteId);
        }
        incoming.add(END);
        connection.forget(this);
    }

    private final class StreamInput extends InputStream {
        private byte[] current = new byte[0];
        private int position;
        private boolean ended;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (position == current.length) {
                if (ended) {
                    return -1;
                }
                byte[] next;
                try {
                    next = incoming.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading an ADB stream");
                }
                if (next == END) {
                    ended = true;
                    return -1;
                }
                current = next;
                position = 0;
                connection.send(AdbMessage.of(AdbMessage.OKAY, localId, remoteId, new byte[0]));
            }
            int n = Math.min(len, current.length - position);
            System.arraycopy(current, position, b, off, n);
            position += n;
            return n;
        }
    }

    private final class StreamOutput extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            int max = connection.maxPayload();
            while (len > 0) {
                try {
                    writeWindow.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while writing an ADB stream");
                }
                if (closed) {
                    throw new IOException("ADB stream closed by the peer");
                }
                int n = Math.min(len, max);
                byte[] chunk = new byte[n];
                System.arraycopy(b, off, chunk, 0, n);
                connection.send(AdbMessage.of(AdbMessage.WRTE, localId, remoteId, chunk));
                off += n;
                len -= n;
            }
        }
    }
}

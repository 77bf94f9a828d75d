package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbMessage;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One open ADB stream, seen by the service behind it as a blocking input and output.
 *
 * <p>Flow control follows adbd. Each WRTE this device sends waits for the host's OKAY (a window of
 * one message: extra OKAYs open nothing more). A host's WRTE is acknowledged only when the service
 * takes it, so a service that does not read stops the host, which must wait for the OKAY. A host
 * that does not wait, and sends more than {@link #UNREAD_LIMIT} (each message counted as its payload
 * plus {@link #MESSAGE_COST}), gets this stream closed: the connection's reading thread never waits
 * for a stream, so a full one cannot stop it from seeing the other streams or a CLSE.
 */
public final class AdbStream implements AutoCloseable {
    /** Counted for every message on top of its payload, so that floods of empty WRTEs reach the limit too. */
    static final int MESSAGE_COST = 16 * 1024;
    /**
     * The most a stream holds that its service has not taken: the one message a host may send before
     * the OKAY that answers the previous one, and one more of slack.
     */
    static final long UNREAD_LIMIT = 2L * (AdbConnection.DEVICE_MAX_PAYLOAD + MESSAGE_COST);
    private static final byte[] EMPTY = new byte[0];

    private final AdbConnection connection;
    private final int localId;
    private final int remoteId;
    private final Object lock = new Object();
    /** Payloads received and not yet taken by the service; guarded by {@link #lock}. */
    private final ArrayDeque<byte[]> incoming = new ArrayDeque<>();
    /** The cost of {@link #incoming}; guarded by {@link #lock}. */
    private long unread;
    /** No more input will arrive; guarded by {@link #lock}. */
    private boolean inputEnded;
    /** The host acknowledged our last WRTE (or we sent none yet); guarded by {@link #lock}. */
    private boolean mayWrite = true;
    private volatile boolean closed;
    private final AtomicBoolean closeActionsRun = new AtomicBoolean();
    private final List<Runnable> closeActions = new CopyOnWriteArrayList<>();
    private final StreamInput in = new StreamInput();
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

    /**
     * Runs {@code action} once when the stream closes, from whichever side (at once if it is closed
     * already): the service layer stops what serves the stream, even while that is blocked.
     *
     * @param action run once, on the thread that closes the stream
     */
    public void onClose(Runnable action) {
        closeActions.add(action);
        if (closed) {
            runCloseActions();
        }
    }

    /**
     * Queues a payload the host wrote, unless it would exceed {@link #UNREAD_LIMIT}. Never waits.
     *
     * @return false if the host overran the stream (it did not wait for our OKAYs)
     */
    boolean received(byte[] payload) {
        synchronized (lock) {
            if (inputEnded) {
                return true;
            }
            long cost = cost(payload);
            if (unread + cost > UNREAD_LIMIT) {
                return false;
            }
            incoming.add(payload);
            unread += cost;
            lock.notifyAll();
            return true;
        }
    }

    /** The host's OKAY: it took our last WRTE, and we may send the next. */
    void acknowledged() {
        synchronized (lock) {
            mayWrite = true;
            lock.notifyAll();
        }
    }

    /**
     * The peer closed the stream, or the connection ended.
     *
     * @param discardInput drop what the service has not read (the connection is gone, or the host overran the stream)
     */
    void remoteClosed(boolean discardInput) {
        closed = true;
        endInput(discardInput);
        runCloseActions();
    }

    /**
     * True once either side has closed the stream.
     *
     * @return {@code true} after a CLSE either way
     */
    public boolean isClosed() {
        return closed;
    }

    /** Closes the stream from the device side (sends CLSE once) and drops input not yet read. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            connection.closeStream(this, remoteId);
        }
        endInput(true);
        connection.forget(this);
        runCloseActions();
    }

    private void endInput(boolean discard) {
        synchronized (lock) {
            inputEnded = true;
            if (discard) {
                incoming.clear();
                unread = 0;
                in.discard();
            }
            lock.notifyAll();
        }
    }

    private void runCloseActions() {
        if (closeActionsRun.compareAndSet(false, true)) {
            closeActions.forEach(Runnable::run);
        }
    }

    private static long cost(byte[] payload) {
        return (long) payload.length + MESSAGE_COST;
    }

    /** Reads {@link #incoming}; its buffer is guarded by {@link #lock} too, so that closing drops it. */
    private final class StreamInput extends InputStream {
        private byte[] current = new byte[0];
        private int position;

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
            while (true) {
                boolean acknowledge;
                synchronized (lock) {
                    if (position < current.length) {
                        int n = Math.min(len, current.length - position);
                        System.arraycopy(current, position, b, off, n);
                        position += n;
                        return n;
                    }
                    while (incoming.isEmpty() && !inputEnded) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while reading an ADB stream");
                        }
                    }
                    byte[] next = incoming.poll();
                    if (next == null) {
                        current = EMPTY;
                        position = 0;
                        return -1;
                    }
                    unread -= cost(next);
                    current = next;
                    position = 0;
                    acknowledge = !closed;
                }
                if (acknowledge) {
                    connection.send(AdbMessage.of(AdbMessage.OKAY, localId, remoteId, new byte[0]));
                }
            }
        }

        /** Drops the payload being read; called under {@link #lock}. */
        private void discard() {
            current = EMPTY;
            position = 0;
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
                synchronized (lock) {
                    while (!mayWrite && !closed) {
                        try {
                            lock.wait();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new InterruptedIOException("interrupted while writing an ADB stream");
                        }
                    }
                    if (closed) {
                        throw new IOException("ADB stream closed");
                    }
                    mayWrite = false;
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

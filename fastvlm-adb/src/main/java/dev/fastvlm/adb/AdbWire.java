package dev.fastvlm.adb;

import dev.fastvlm.adb.protocol.AdbAuthToken;
import dev.fastvlm.adb.protocol.AdbMessage;
import dev.fastvlm.transport.Deadline;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * ADB's transport protocol (AOSP {@code protocol.txt}) over one socket to a device's adbd: the
 * CNXN/AUTH handshake, then streams (OPEN, OKAY, WRTE, CLSE) demultiplexed by a reader thread.
 *
 * <p>This connection announces protocol version {@code 0x01000001}, so that both sides skip
 * payload checksums when the device's version allows it (adbd 7+), and computes them over the
 * real payload otherwise: summing every byte costs about 40% of the CPU of a large push (JFR, with
 * a client that summed whole buffers). Streams follow the protocol's flow control: one WRTE in
 * flight per stream until the peer's OKAY, and the device's WRTEs acknowledged as they arrive
 * while little is unread. The message format and its constants are {@link AdbMessage}'s, shared
 * with the emulated adbd.
 */
final class AdbWire implements AdbLink {

    private static final Logger LOG = LoggerFactory.getLogger(AdbWire.class);

    private static final int CNXN = AdbMessage.CNXN;
    private static final int AUTH = AdbMessage.AUTH;
    private static final int OPEN = AdbMessage.OPEN;
    private static final int OKAY = AdbMessage.OKAY;
    private static final int CLSE = AdbMessage.CLSE;
    private static final int WRTE = AdbMessage.WRTE;
    private static final int MAX_PAYLOAD = AdbMessage.MAX_PAYLOAD;
    /** Received bytes a stream may hold unread before its OKAYs wait for the reader. */
    private static final long UNREAD_LIMIT = MAX_PAYLOAD;
    private static final byte[] HOST_BANNER = "host::\0".getBytes(StandardCharsets.US_ASCII);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] header = new byte[AdbMessage.HEADER_BYTES];
    /** Held while a message is written; the reader thread never waits for it (see {@link #trySend}). */
    private final ReentrantLock writing = new ReentrantLock();
    private final int maxPayload;
    private final boolean checksums;
    private final Set<String> features;
    private final Map<Integer, WireStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger lastId = new AtomicInteger();
    private volatile boolean closed;

    private AdbWire(Socket socket, DataInputStream in, OutputStream out, AdbMessage connected) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.maxPayload = Math.max(4096, Math.min(connected.arg1(), MAX_PAYLOAD));
        this.checksums = connected.arg0() < AdbMessage.VERSION_SKIP_CHECKSUM;
        this.features = parseFeatures(new String(connected.payload(), StandardCharsets.UTF_8));
        Thread reader = new Thread(this::readLoop, "fastvlm-adb-reader " + socket.getRemoteSocketAddress());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Sets up the connection: CNXN, then the AUTH exchange (sign the device's token; if the device
     * does not know the key, offer it and wait for the user to accept it on the phone). The whole
     * handshake gets at most {@code timeoutMillis}: a device that answers nothing ends it with a
     * {@link SocketTimeoutException}, never a wait without end.
     */
    static AdbWire connect(Socket socket, AdbKey key, int timeoutMillis) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
        byte[] header = new byte[AdbMessage.HEADER_BYTES];
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        write(out, header, true, CNXN, AdbMessage.VERSION_SKIP_CHECKSUM, MAX_PAYLOAD, HOST_BANNER, 0,
                HOST_BANNER.length);
        boolean signed = false;
        while (true) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) {
                throw new SocketTimeoutException("the device did not complete the ADB handshake within "
                        + timeoutMillis + " ms");
            }
            socket.setSoTimeout((int) left);
            AdbMessage message = read(in);
            if (message.command() == CNXN) {
                // Past the handshake, every wait has its own limit (the request's Deadline); the reader thread has none.
                socket.setSoTimeout(0);
                return new AdbWire(socket, in, out, message);
            }
            if (message.command() != AUTH || message.arg0() != AdbMessage.AUTH_TOKEN) {
                throw new IOException("unexpected " + AdbMessage.name(message.command()) + " while connecting");
            }
            byte[] reply = signed ? key.publicKey() : sign(key, message.payload());
            write(out, header, true, AUTH, signed ? AdbMessage.AUTH_RSAPUBLICKEY : AdbMessage.AUTH_SIGNATURE, 0,
                    reply, 0, reply.length);
            signed = true;
        }
    }

    @Override
    public AdbStream open(String destination) throws IOException {
        if (closed) {
            throw new IOException("the ADB connection is closed");
        }
        int localId = lastId.incrementAndGet();
        WireStream stream = new WireStream(localId);
        streams.put(localId, stream);
        byte[] name = (destination + "\0").getBytes(StandardCharsets.UTF_8);
        try {
            send(OPEN, localId, 0, name, 0, name.length);
            stream.awaitOpen(destination);
            return stream;
        } catch (IOException | RuntimeException e) {
            streams.remove(localId);
            throw e;
        }
    }

    @Override
    public boolean supportsFeature(String feature) {
        return features.contains(feature);
    }

    @Override
    public void close() {
        closed = true;
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing either way.
        }
    }

    private void readLoop() {
        try {
            while (true) {
                AdbMessage message = read(in);
                WireStream stream = streams.get(message.arg1());
                if (stream == null) {
                    if (message.command() == WRTE || message.command() == OKAY) {
                        send(CLSE, 0, message.arg0(), null, 0, 0);
                    }
                    continue;
                }
                switch (message.command()) {
                    case OKAY -> stream.okay(message.arg0());
                    case WRTE -> stream.received(message.payload());
                    case CLSE -> stream.remoteClosed();
                    default -> LOG.debug("ignored {} for stream {}", AdbMessage.name(message.command()), message.arg1());
                }
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("ADB connection to {} ended: {}", socket.getRemoteSocketAddress(), e.getMessage());
            }
        } finally {
            closed = true;
            streams.values().forEach(WireStream::remoteClosed);
            close();
        }
    }

    private void send(int command, int arg0, int arg1, byte[] payload, int offset, int length) throws IOException {
        try {
            if (!writing.tryLock(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS)) {
                throw new SocketTimeoutException("the ADB connection stayed busy past the deadline");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting to write to the ADB connection");
        }
        try {
            write(out, header, checksums, command, arg0, arg1, payload, offset, length);
        } finally {
            writing.unlock();
        }
    }

    /** Sends a message without a payload only if no other thread is writing; false if one is. */
    private boolean trySend(int command, int arg0, int arg1) throws IOException {
        if (!writing.tryLock()) {
            return false;
        }
        try {
            write(out, header, checksums, command, arg0, arg1, null, 0, 0);
            return true;
        } finally {
            writing.unlock();
        }
    }

    private static void write(OutputStream out, byte[] header, boolean checksum, int command, int arg0, int arg1,
                              byte[] payload, int offset, int length) throws IOException {
        int size = payload == null ? 0 : length;
        AdbMessage.writeHeader(header, command, arg0, arg1, size,
                checksum && payload != null ? AdbMessage.checksum(payload, offset, length) : 0);
        out.write(header);
        if (payload != null) {
            out.write(payload, offset, length);
        }
        out.flush();
    }

    /** The next message; checksums are not checked (TCP guards the bytes, and adbd 7+ sends none). */
    private static AdbMessage read(DataInputStream in) throws IOException {
        AdbMessage message = AdbMessage.read(in, MAX_PAYLOAD, true);
        if (message == null) {
            throw new EOFException("the device closed the ADB connection");
        }
        return message;
    }

    private static byte[] sign(AdbKey key, byte[] token) throws IOException {
        try {
            return AdbAuthToken.sign(key.privateKey(), token);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot sign the device's AUTH token with the adb key: " + e.getMessage(), e);
        }
    }

    private static Set<String> parseFeatures(String banner) {
        for (String property : banner.substring(banner.indexOf("::") + 2).split(";")) {
            if (property.startsWith("features=")) {
                return Arrays.stream(property.substring("features=".length()).split(","))
                        .map(String::strip).collect(Collectors.toUnmodifiableSet());
            }
        }
        return Set.of();
    }

    /** One stream: what the device writes arrives through {@link #received}; ours goes out as WRTEs. */
    private final class WireStream implements AdbStream {
        private final int localId;
        private final CountDownLatch opened = new CountDownLatch(1);
        private final BlockingQueue<byte[]> incoming = new LinkedBlockingQueue<>();
        /** One WRTE may be in flight: the device's OKAY for it gives the permit back. */
        private final Semaphore writeWindow = new Semaphore(0);
        /** Received payload bytes the reader has not consumed yet; guarded by {@code this}. */
        private long unread;
        /** An OKAY held back because too much is unread; guarded by {@code this}. */
        private boolean okayOwed;
        private final Incoming input = new Incoming();
        private final Outgoing output = new Outgoing();
        private volatile int remoteId;
        private volatile boolean remoteClosed;
        private volatile boolean localClosed;

        WireStream(int localId) {
            this.localId = localId;
        }

        void awaitOpen(String destination) throws IOException {
            try {
                if (!opened.await(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS)) {
                    throw new SocketTimeoutException("the device did not open " + destination + " before the deadline");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while opening " + destination);
            }
            if (remoteId == 0) {
                throw new IOException(closed ? "the ADB connection closed while opening " + destination
                        : "the device refused to open " + destination);
            }
        }

        void okay(int remote) {
            if (remoteId == 0) {
                remoteId = remote;
                opened.countDown();
            }
            writeWindow.release();
        }

        /**
         * Queues a WRTE's payload and, while little is waiting, acknowledges it at once (as adb's
         * own server does once the bytes are in its socket buffer), so the device can send its
         * next message while ours is still being read. Beyond {@link #UNREAD_LIMIT}, or while
         * another thread is writing (the reader thread must never wait behind a large write, or
         * it would stop draining the socket), the OKAY goes when the stream's reader takes the
         * payload, which keeps a slow consumer's memory bounded.
         */
        void received(byte[] payload) {
            synchronized (this) {
                unread += payload.length;
                okayOwed = !(unread <= UNREAD_LIMIT && acknowledge(false));
            }
            incoming.add(payload);
        }

        /** The reader took {@code length} bytes off the queue: the OKAY held back for them may go now. */
        private void consumed(int length) {
            boolean okayNow;
            synchronized (this) {
                unread -= length;
                okayNow = okayOwed && unread <= UNREAD_LIMIT;
                if (okayNow) {
                    okayOwed = false;
                }
            }
            if (okayNow) {
                acknowledge(true);
            }
        }

        /**
         * Sends this stream's OKAY; unless {@code mayWait}, only if no other thread is writing, and
         * false when one is. An OKAY that need not go (stream or connection gone) counts as sent.
         */
        private boolean acknowledge(boolean mayWait) {
            if (remoteClosed || localClosed) {
                return true;
            }
            try {
                if (mayWait) {
                    send(OKAY, localId, remoteId, null, 0, 0);
                    return true;
                }
                return trySend(OKAY, localId, remoteId);
            } catch (IOException e) {
                // The connection is gone; the reader thread ends every stream.
                LOG.debug("could not acknowledge on stream {}: {}", localId, e.getMessage());
                return true;
            }
        }

        void remoteClosed() {
            remoteClosed = true;
            incoming.add(END);
            opened.countDown();
            writeWindow.release(Integer.MAX_VALUE / 2);
        }

        @Override
        public InputStream input() {
            return input;
        }

        @Override
        public OutputStream output() {
            return output;
        }

        @Override
        public synchronized void close() {
            if (localClosed) {
                return;
            }
            localClosed = true;
            streams.remove(localId);
            incoming.add(END);
            if (remoteId != 0 && !closed) {
                try {
                    send(CLSE, localId, remoteId, null, 0, 0);
                } catch (IOException e) {
                    LOG.debug("could not close stream {}: {}", localId, e.getMessage());
                }
            }
        }

        /** The device's WRTEs, one payload after the other; reads wait as long as the caller's deadline allows. */
        private final class Incoming extends InputStream {
            private byte[] current = new byte[0];
            private int position;
            private boolean ended;

            @Override
            public int read() throws IOException {
                return fill() ? current[position++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] target, int offset, int length) throws IOException {
                if (length == 0) {
                    return 0;
                }
                if (!fill()) {
                    return -1;
                }
                int n = Math.min(length, current.length - position);
                System.arraycopy(current, position, target, offset, n);
                position += n;
                return n;
            }

            @Override
            public int available() {
                return current.length - position;
            }

            /** Makes sure some payload is at hand; false at the end of the stream. */
            private boolean fill() throws IOException {
                while (position == current.length) {
                    if (ended) {
                        return false;
                    }
                    byte[] next;
                    try {
                        next = incoming.poll(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading an ADB stream");
                    }
                    if (next == null) {
                        throw new SocketTimeoutException("the device sent nothing more before the deadline");
                    }
                    if (next == END) {
                        ended = true;
                        return false;
                    }
                    current = next;
                    position = 0;
                    consumed(next.length);
                }
                return true;
            }

            @Override
            public void close() {
                // The stream's close() ends both directions.
            }
        }

        /**
         * Collects what is written into messages of up to the agreed payload size, straight into the
         * message buffer: a full one goes out at once, a partial one when flushed.
         */
        private final class Outgoing extends OutputStream {
            /** Allocated on the first write: most shell streams never write, and a full one is a megabyte. */
            private byte[] chunk;
            private int filled;

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] source, int offset, int length) throws IOException {
                if (chunk == null) {
                    chunk = new byte[maxPayload];
                }
                while (length > 0) {
                    int n = Math.min(length, chunk.length - filled);
                    System.arraycopy(source, offset, chunk, filled, n);
                    filled += n;
                    offset += n;
                    length -= n;
                    if (filled == chunk.length) {
                        flush();
                    }
                }
            }

            @Override
            public void flush() throws IOException {
                if (filled == 0) {
                    return;
                }
                try {
                    if (!writeWindow.tryAcquire(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS)) {
                        throw new SocketTimeoutException("the device acknowledged nothing more before the deadline");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while writing an ADB stream");
                }
                if (remoteClosed || closed) {
                    throw new EOFException("the device closed the ADB stream");
                }
                send(WRTE, localId, remoteId, chunk, 0, filled);
                filled = 0;
            }

            @Override
            public void close() {
                // The stream's close() ends both directions.
            }
        }
    }

    private static final byte[] END = new byte[0];
}

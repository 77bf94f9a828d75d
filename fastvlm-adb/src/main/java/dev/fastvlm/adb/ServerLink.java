package dev.fastvlm.adb;

import dev.fastvlm.adb.protocol.AdbMessage;
import dev.fastvlm.transport.Deadline;

import jdk.net.ExtendedSocketOptions;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A device through the adb server: every stream is a socket of its own to the server, switched to
 * the device by {@code host:transport:SERIAL} ({@link AdbServerClient#openService}). A socket's
 * reads and writes block without limit, so this link bounds them by the caller's {@link Deadline}
 * and interrupt from outside: opening a stream and a transfer on it are {@linkplain #guard
 * guarded} by a watchdog that closes the socket once the deadline passes or the caller is
 * interrupted, which ends a read or write under way with an exception that
 * {@link Guard#translate} turns into the timeout or cancel it stands for.
 */
final class ServerLink implements AdbLink {

    private static final long WATCH_MILLIS = 50;
    /**
     * What a stream sends in one write. The adb server forwards to the device what one read of its
     * socket gets, up to a 1 MiB message, then waits for the device's OKAY: the fuller the socket,
     * the fewer round trips. A 300 MiB push went at 0.82x {@code adb push} with 256 KiB writes and
     * at 1.02x with 1 MiB ones ({@code AdbPushComparison}, same loaded machine).
     */
    private static final int WRITE_BYTES = AdbMessage.MAX_PAYLOAD;
    private static final int READ_BYTES = 64 * 1024;

    private final AdbServerClient server;
    private final String serial;
    private final Set<String> features;
    /** This link's watchdog thread, made at the first guarded call and ended by {@link #close()}. */
    private final ScheduledThreadPoolExecutor watchdog;

    private ServerLink(AdbServerClient server, String serial, Set<String> features) {
        this.server = server;
        this.serial = serial;
        this.features = features;
        this.watchdog = new ScheduledThreadPoolExecutor(1, AdbTransport.daemon("fastvlm-adb-watchdog " + serial));
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /**
     * A link to {@code serial}; asking for its features first proves the server sees the device.
     *
     * @throws AdbServerClient.Refused naming the serial when the server does not know the device
     */
    static ServerLink connect(AdbServerClient server, String serial) throws IOException {
        return new ServerLink(server, serial, server.features(serial));
    }

    /**
     * Opens {@code destination} within the caller's deadline, interruptible: a server or device
     * that does not answer ends the open with a {@link SocketTimeoutException} (at the deadline,
     * or the connect timeout without one), or an {@link InterruptedIOException} when interrupted.
     */
    @Override
    public AdbStream open(String destination) throws IOException {
        Socket socket = server.connect();
        SocketStream stream = new SocketStream(socket);
        Guard guard = guard(stream);
        try {
            server.openService(socket, serial, destination);
            return stream;
        } catch (IOException e) {
            guard.close();
            stream.close();
            throw guard.translate(e);
        } catch (RuntimeException e) {
            stream.close();
            throw e;
        } finally {
            guard.close();
        }
    }

    @Override
    public Guard guard(AdbStream stream) {
        Deadline deadline = Deadline.current().orElse(null);
        Thread caller = Thread.currentThread();
        WatchedTransfer transfer = new WatchedTransfer(stream, caller, deadline);
        // The interrupt is polled; the deadline is met on the dot.
        transfer.interruptWatch = watchdog.scheduleWithFixedDelay(transfer::check, WATCH_MILLIS, WATCH_MILLIS,
                TimeUnit.MILLISECONDS);
        if (deadline != null) {
            transfer.deadlineWatch = watchdog.schedule(transfer::check, deadline.remaining().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        return transfer;
    }

    @Override
    public boolean supportsFeature(String feature) {
        return features.contains(feature);
    }

    /** Ends the watchdog; each stream had its own socket, closed by its user. */
    @Override
    public void close() {
        watchdog.shutdownNow();
    }

    /** One service's raw stream on its own socket to the server. */
    private static final class SocketStream implements AdbStream {
        private final Socket socket;
        private final InputStream input;
        private final OutputStream socketOutput;
        /** Made at the first call: shell streams never write, and the buffer is a megabyte. */
        private OutputStream output;

        SocketStream(Socket socket) throws IOException {
            this.socket = socket;
            this.input = new BufferedInputStream(new AcknowledgingInput(socket), READ_BYTES);
            this.socketOutput = socket.getOutputStream();
        }

        @Override
        public InputStream input() {
            return input;
        }

        @Override
        public synchronized OutputStream output() {
            if (output == null) {
                output = new BufferedOutputStream(socketOutput, WRITE_BYTES);
            }
            return output;
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closed either way.
            }
        }
    }

    /**
     * A socket's input that asks Linux to acknowledge what arrives at once (TCP_QUICKACK, where the
     * JDK offers it) before each read. The adb server writes its replies without TCP_NODELAY: when a
     * push of two files gets its two 8-byte OKAYs, the second waits for the acknowledgement of the
     * first, which this end would otherwise delay by 40 ms, as it has nothing to send meanwhile (a
     * measured 40-50 ms of every request's embeddings push). The option lasts until the kernel
     * leaves quick-ack mode again, hence once per read.
     */
    private static final class AcknowledgingInput extends FilterInputStream {
        private static final boolean QUICK_ACK = quickAckOffered();
        private final Socket socket;

        AcknowledgingInput(Socket socket) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
        }

        private static boolean quickAckOffered() {
            try (Socket probe = new Socket()) {
                return probe.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
            } catch (IOException e) {
                return false;
            }
        }

        @Override
        public int read() throws IOException {
            acknowledgeAtOnce();
            return super.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            acknowledgeAtOnce();
            return super.read(b, off, len);
        }

        private void acknowledgeAtOnce() {
            if (QUICK_ACK) {
                try {
                    socket.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
                } catch (IOException e) {
                    // a closed socket: the read reports it
                }
            }
        }
    }

    /** One call's watch: closes its stream when the caller's deadline passes or the caller is interrupted. */
    private static final class WatchedTransfer implements Guard {
        private final AdbStream stream;
        private final Thread caller;
        private final Deadline deadline;
        private volatile ScheduledFuture<?> interruptWatch;
        private volatile ScheduledFuture<?> deadlineWatch;
        private volatile String fired;

        WatchedTransfer(AdbStream stream, Thread caller, Deadline deadline) {
            this.stream = stream;
            this.caller = caller;
            this.deadline = deadline;
        }

        void check() {
            if (fired != null) {
                return;
            }
            if (caller.isInterrupted()) {
                fired = "interrupted";
            } else if (deadline != null && deadline.remaining().isZero()) {
                fired = "deadline";
            } else {
                return;
            }
            stream.close();
        }

        @Override
        public IOException translate(IOException e) {
            String why = fired;
            if (why == null) {
                return e;
            }
            IOException stopped = why.equals("deadline")
                    ? new SocketTimeoutException("the deadline passed; the stream to the adb server was closed")
                    : new InterruptedIOException("interrupted; the stream to the adb server was closed");
            stopped.initCause(e);
            return stopped;
        }

        @Override
        public void close() {
            for (ScheduledFuture<?> watch : new ScheduledFuture<?>[] {interruptWatch, deadlineWatch}) {
                if (watch != null) {
                    watch.cancel(false);
                }
            }
        }
    }
}

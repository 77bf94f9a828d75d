package dev.fastvlm.emulator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay in front of an emulated device's adbd whose link faults can be switched on
 * and off while connections are open, for tests of how a client survives a bad link: a link that
 * goes silent in the middle of a transfer or at the start of a push (one connection, once), and a
 * slow link. Unlike the
 * {@link EmulatorFaults} given at start, which hold for every connection, these faults hit the
 * connection in use and let the next one through, so a test can show that the next request works.
 *
 * <pre>{@code
 * try (FaultyLink link = FaultyLink.to(emulator.port())) {
 *     link.silenceAfterDeviceSends(100_000);      // the device's next 100 kB arrive, then nothing
 *     AdbTransport.direct("127.0.0.1", link.port())...
 * }
 * }</pre>
 */
public final class FaultyLink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(FaultyLink.class);

    private final ServerSocket listener;
    private final int devicePort;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** Device bytes still let through before the connection carrying them goes silent; negative when disarmed. */
    private final AtomicLong silenceBudget = new AtomicLong(-1);
    /** Whether the next connection to start a push goes silent. */
    private final AtomicBoolean silenceAtPush = new AtomicBoolean();
    /** Completed when a connection goes silent after the fault was armed. */
    private volatile CompletableFuture<Void> silenced = new CompletableFuture<>();
    private volatile long bytesPerSecond;

    private FaultyLink(ServerSocket listener, int devicePort) {
        this.listener = listener;
        this.devicePort = devicePort;
        Thread acceptor = new Thread(this::acceptLoop, "faulty-link " + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * A relay on a free loopback port to the adbd at {@code devicePort} on this host.
     *
     * @param devicePort the emulated adbd's port, usually {@link DeviceEmulator#port()}
     * @return the running relay; close it to stop it
     * @throws IOException when no loopback port can be bound
     */
    public static FaultyLink to(int devicePort) throws IOException {
        return new FaultyLink(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), devicePort);
    }

    /**
     * The port clients connect to.
     *
     * @return the relay's loopback port
     */
    public int port() {
        return listener.getLocalPort();
    }

    /**
     * Lets {@code bytes} more of the device's bytes through, then silences the connection that
     * carried them in both directions (it stays open, nothing more arrives either way), as a
     * cable that stops working without a reset. Later connections are not affected.
     *
     * @param bytes the device bytes to let through first
     */
    public void silenceAfterDeviceSends(long bytes) {
        silenced = new CompletableFuture<>();
        silenceBudget.set(bytes);
    }

    /**
     * Silences, in both directions, the next connection on which the client starts a push (an
     * ADB write whose payload begins with a sync {@code SEND} request): that request reaches the
     * device, nothing after it does, so the client waits in the middle of the push. Later
     * connections are not affected.
     */
    public void silenceAtNextPush() {
        silenced = new CompletableFuture<>();
        silenceAtPush.set(true);
    }

    /**
     * Waits until a connection has gone silent since the fault was last armed.
     *
     * @param timeout the longest to wait
     * @return whether a connection went silent within {@code timeout}
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public boolean awaitSilence(Duration timeout) throws InterruptedException {
        try {
            silenced.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completed exceptionally", e);
        }
    }

    /**
     * Throttles what the device sends, on every connection, to this rate; 0 for full speed.
     *
     * @param bytesPerSecond the rate in bytes per second, or 0
     */
    public void throttleDevice(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket device = new Socket(InetAddress.getLoopbackAddress(), devicePort);
                client.setTcpNoDelay(true);
                device.setTcpNoDelay(true);
                open.add(client);
                open.add(device);
                Connection connection = new Connection();
                pump(connection, client, device, false);
                pump(connection, device, client, true);
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.debug("faulty link stopped accepting: {}", e.toString());
                }
                return;
            }
        }
    }

    /** One relayed connection; silenced for good once its device bytes use up the budget, or at a push. */
    private final class Connection {
        private volatile boolean silent;
        private final PushSpotter pushes = new PushSpotter();

        void silence() {
            silent = true;
            silenced.complete(null);
            LOG.info("faulty link: connection silenced");
        }
    }

    /**
     * Follows the ADB messages the client sends (a 24-byte header whose fourth word is the
     * payload's length, then the payload) and spots a {@code WRTE} whose payload starts with a
     * sync {@code SEND} request.
     */
    private static final class PushSpotter {
        private static final int HEADER = 24;
        private static final int A_WRTE = 0x45545257;
        private static final byte[] SEND = {'S', 'E', 'N', 'D'};
        private final byte[] header = new byte[HEADER];
        private int headerFill;
        private long payloadLeft;
        private int payloadSeen;
        private boolean write;

        /** The count of {@code data}'s first bytes up to the end of a push's {@code SEND}, or -1 if it has none. */
        int endOfPushStart(byte[] data, int length) {
            for (int i = 0; i < length; i++) {
                byte b = data[i];
                if (headerFill < HEADER) {
                    header[headerFill++] = b;
                    if (headerFill == HEADER) {
                        write = word(0) == A_WRTE;
                        payloadLeft = word(12) & 0xFFFF_FFFFL;
                        payloadSeen = 0;
                        if (payloadLeft == 0) {
                            headerFill = 0;
                        }
                    }
                    continue;
                }
                boolean pushStarts = false;
                if (write && payloadSeen < SEND.length) {
                    if (b == SEND[payloadSeen]) {
                        pushStarts = ++payloadSeen == SEND.length;
                    } else {
                        write = false;
                    }
                }
                if (--payloadLeft == 0) {
                    headerFill = 0;
                }
                if (pushStarts) {
                    return i + 1;
                }
            }
            return -1;
        }

        private int word(int offset) {
            return (header[offset] & 0xFF) | (header[offset + 1] & 0xFF) << 8 | (header[offset + 2] & 0xFF) << 16
                    | (header[offset + 3] & 0xFF) << 24;
        }
    }

    private void pump(Connection connection, Socket from, Socket to, boolean fromDevice) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    // A silenced connection stays open and swallows what either side sends.
                    int pass = connection.silent ? 0 : fromDevice ? passBeforeSilence(connection, n)
                            : passBeforePush(connection, n, buffer);
                    if (pass == 0) {
                        continue;
                    }
                    if (fromDevice && bytesPerSecond > 0) {
                        throttled(out, buffer, pass);
                    } else {
                        out.write(buffer, 0, pass);
                    }
                }
            } catch (IOException e) {
                // One side went away; the other is closed below.
            } finally {
                close(from);
                close(to);
            }
        }, "faulty-link-pump");
        thread.setDaemon(true);
        thread.start();
    }

    /** How many of {@code n} device bytes go through before the budget, if armed, runs out. */
    private int passBeforeSilence(Connection connection, int n) {
        while (true) {
            long budget = silenceBudget.get();
            if (budget < 0) {
                return n;
            }
            if (budget >= n) {
                if (silenceBudget.compareAndSet(budget, budget - n)) {
                    return n;
                }
                continue;
            }
            if (silenceBudget.compareAndSet(budget, -1)) {
                connection.silence();
                return (int) budget;
            }
        }
    }

    /** How many of the client's {@code n} bytes go through before a push, if the push fault is armed. */
    private int passBeforePush(Connection connection, int n, byte[] buffer) {
        int end = connection.pushes.endOfPushStart(buffer, n);
        if (end < 0 || !silenceAtPush.compareAndSet(true, false)) {
            return n;
        }
        connection.silence();
        return end;
    }

    /** Writes at the throttled rate; the rest goes at once when the throttle is lifted meanwhile. */
    private void throttled(OutputStream out, byte[] buffer, int n) throws IOException {
        for (int offset = 0; offset < n; ) {
            long rate = bytesPerSecond;
            int length = rate <= 0 ? n - offset : (int) Math.min(n - offset, Math.max(1, rate / 10));
            out.write(buffer, offset, length);
            out.flush();
            offset += length;
            if (rate > 0) {
                try {
                    Thread.sleep(Math.max(1, length * 1000L / rate));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("throttled link interrupted");
                }
            }
        }
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    /** Stops accepting and closes every relayed connection. */
    @Override
    public void close() throws IOException {
        listener.close();
        open.forEach(this::close);
    }
}

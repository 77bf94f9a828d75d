package dev.fastvlm.emulator.adb;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP listener on the loopback interface that speaks the adbd side of the ADB protocol,
 * one thread per connection and one per open stream.
 */
public final class AdbServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdbServer.class);
    private static final AtomicInteger SERVERS = new AtomicInteger();
    private static final long SERVICE_END_MILLIS = 2000;

    private final ServerSocket listener;
    private final LinkSettings link;
    private final ServiceResolver services;
    private final ExecutorService workers;
    private final Thread acceptor;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();

    private AdbServer(ServerSocket listener, LinkSettings link, ServiceResolver services) {
        this.listener = listener;
        this.link = link;
        this.services = services;
        int n = SERVERS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "adbd-" + n + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.acceptor = new Thread(this::acceptLoop, "adbd-" + n + "-accept");
        acceptor.setDaemon(true);
    }

    /**
     * Listens on {@code 127.0.0.1:port} (0 picks a free port) and starts serving.
     *
     * @param port the loopback port, or 0 for a free one
     * @param link the banner, authentication and link faults every connection gets
     * @param services finds the handler of each stream a client opens
     * @return the running server; close it to stop it
     * @throws IOException when the port cannot be bound
     */
    public static AdbServer start(int port, LinkSettings link, ServiceResolver services) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        AdbServer server = new AdbServer(socket, link, services);
        server.acceptor.start();
        return server;
    }

    /** {@return the loopback port the server listens on} */
    public int port() {
        return listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket s = listener.accept();
                connections.add(s);
                workers.execute(() -> {
                    try {
                        new AdbConnection(s, link, services, workers).run();
                    } finally {
                        connections.remove(s);
                    }
                });
            } catch (IOException e) {
                if (!listener.isClosed()) {
                    LOG.warn("accept failed: {}", e.toString());
                }
            }
        }
    }

    /**
     * Stops listening, ends every connection, and waits up to {@value #SERVICE_END_MILLIS} ms for
     * the services to end (a shell service ends by killing its process), so that nothing works in the
     * sandbox any more when the caller goes on to remove it.
     *
     * @throws IOException if the listening socket cannot be closed
     */
    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : connections) {
            s.close();
        }
        workers.shutdownNow();
        try {
            if (!workers.awaitTermination(SERVICE_END_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warn("some ADB services were still running {} ms after the server closed", SERVICE_END_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

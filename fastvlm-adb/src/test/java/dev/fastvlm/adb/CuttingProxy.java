package dev.fastvlm.adb;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that, once armed, cuts the connection carrying the next {@code n} bytes
 * in one direction: a cable pulled in the middle of a push or a pull.
 */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket listener = new ServerSocket(0);
    private final int devicePort;
    /** Bytes still allowed through before the cut; negative when disarmed. */
    private final AtomicLong budget = new AtomicLong(-1);
    private volatile boolean countClientBytes;

    CuttingProxy(int devicePort) throws IOException {
        this.devicePort = devicePort;
        Thread acceptor = new Thread(this::acceptLoop, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return listener.getLocalPort();
    }

    /** Cuts whichever connection is carrying client bytes when {@code bytes} more have passed. */
    void cutAfterClientSent(long bytes) {
        countClientBytes = true;
        budget.set(bytes);
    }

    /** Cuts whichever connection is carrying device bytes when {@code bytes} more have passed. */
    void cutAfterDeviceSent(long bytes) {
        countClientBytes = false;
        budget.set(bytes);
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket device = new Socket("127.0.0.1", devicePort);
                pump(client, device, true);
                pump(device, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean clientToDevice) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    if (clientToDevice == countClientBytes && budget.get() >= 0 && budget.addAndGet(-n) < 0) {
                        budget.set(-1);
                        from.close();
                        to.close();
                        return;
                    }
                    out.write(buffer, 0, n);
                }
            } catch (IOException e) {
                // One side went away; close the other below.
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cutting-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already closed.
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
    }
}

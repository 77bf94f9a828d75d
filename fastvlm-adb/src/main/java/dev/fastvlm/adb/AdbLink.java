package dev.fastvlm.adb;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** One live connection to a device, over which ADB streams ({@code shell,v2:}, {@code sync:}) open. */
interface AdbLink extends AutoCloseable {

    /** Opens a stream to a device service ({@code sync:}, {@code shell,v2,raw:...}). */
    AdbStream open(String destination) throws IOException;

    /** Whether the device (and, through the adb server, the server too) supports {@code feature}. */
    boolean supportsFeature(String feature);

    /**
     * Makes a transfer on {@code stream} obey the calling thread's {@link dev.fastvlm.transport.Deadline}
     * and interrupt until the guard is closed; a link whose streams obey them already needs nothing.
     */
    default Guard guard(AdbStream stream) {
        return Guard.NONE;
    }

    /** A transfer's bound (see {@link #guard}). */
    interface Guard extends AutoCloseable {
        /** For streams that obey the deadline themselves. */
        Guard NONE = () -> { };

        /**
         * The exception a failed read or write stands for: a {@link java.net.SocketTimeoutException}
         * when the guard closed the stream at the deadline, an {@link java.io.InterruptedIOException}
         * when it closed it for an interrupt, else {@code e} itself.
         */
        default IOException translate(IOException e) {
            return e;
        }

        /** Stops guarding: the transfer is over. */
        @Override
        void close();
    }

    @Override
    void close();

    /**
     * adbd over TCP, with our own protocol client ({@link AdbWire}). Nagle's algorithm is off: ADB
     * exchanges many small messages, and Nagle plus delayed ACKs cost ~40 ms per command.
     */
    static AdbLink direct(String host, int port, AdbKey key, int connectTimeoutMillis) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setKeepAlive(true);
            long start = System.nanoTime();
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            long spent = (System.nanoTime() - start) / 1_000_000;
            return AdbWire.connect(socket, key, (int) Math.max(1, connectTimeoutMillis - spent));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A device through the adb server ({@code host:transport:SERIAL}), with the server's smart-socket protocol. */
    static AdbLink viaServer(AdbServerClient server, String serial) throws IOException {
        return ServerLink.connect(server, serial);
    }
}

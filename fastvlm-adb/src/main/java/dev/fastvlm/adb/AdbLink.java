package dev.fastvlm.adb;

import dadb.AdbStream;
import dadb.Dadb;
import dadb.adbserver.AdbServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** One live connection to a device, over which ADB streams ({@code shell,v2:}, {@code sync:}) open. */
interface AdbLink extends AutoCloseable {

    AdbStream open(String destination) throws IOException;

    boolean supportsFeature(String feature);

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

    /** A device through the adb server ({@code host:transport:SERIAL}), with dadb's server client. */
    static AdbLink viaServer(String host, int port, String serial, int connectTimeoutMillis) {
        Dadb dadb = AdbServer.createDadb(host, port, "host:transport:" + serial, connectTimeoutMillis, 0);
        return new AdbLink() {
            @Override
            public AdbStream open(String destination) throws IOException {
                return dadb.open(destination);
            }

            @Override
            public boolean supportsFeature(String feature) {
                return dadb.supportsFeature(feature);
            }

            @Override
            public void close() {
                try {
                    dadb.close();
                } catch (Exception ignored) {
                    // Each stream had its own socket; nothing else to release.
                }
            }
        };
    }
}

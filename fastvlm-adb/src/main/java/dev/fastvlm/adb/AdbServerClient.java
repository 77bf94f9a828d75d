package dev.fastvlm.adb;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks the local adb server which devices it sees and in what state. dadb's own listing drops the
 * state, which is exactly what tells "unauthorized" and "offline" apart from "ready".
 */
final class AdbServerClient {

    /** One line of {@code adb devices}. */
    record AttachedDevice(String serial, String state) {
        @Override
        public String toString() {
            return serial + " (" + state + ")";
        }
    }

    private final String host;
    private final int port;
    private final int connectTimeoutMillis;

    AdbServerClient(String host, int port, int connectTimeoutMillis) {
        this.host = host;
        this.port = port;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /** @throws java.net.ConnectException when no server listens on the port */
    List<AttachedDevice> devices() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            socket.setSoTimeout(connectTimeoutMillis);
            OutputStream out = socket.getOutputStream();
            String request = "host:devices";
            out.write((String.format("%04x", request.length()) + request).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            String status = readString(in, 4);
            String payload = readString(in, Integer.parseInt(readString(in, 4), 16));
            if (!status.equals("OKAY")) {
                throw new IOException("adb server at " + host + ":" + port + " refused host:devices: " + payload);
            }
            return parse(payload);
        }
    }

    static List<AttachedDevice> parse(String listing) {
        List<AttachedDevice> devices = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] fields = line.strip().split("\t");
            if (fields.length == 2) {
                devices.add(new AttachedDevice(fields[0], fields[1]));
            }
        }
        return devices;
    }

    private static String readString(DataInputStream in, int length) throws IOException {
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

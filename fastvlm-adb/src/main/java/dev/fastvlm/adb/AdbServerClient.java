package dev.fastvlm.adb;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The adb server's "smart socket" protocol (AOSP {@code OVERVIEW.TXT}, {@code SERVICES.TXT}): each
 * request is its length in four hex digits and its text; the server answers {@code OKAY}, or
 * {@code FAIL} with a hex-4-length reason. {@code host:} requests are answered by the server
 * itself; after {@code host:transport:SERIAL} the same socket is switched to that device, and
 * after the next request ({@code sync:}, {@code shell,v2,raw:...}) it carries that service's raw
 * stream: no A_OPEN framing, no checksums and no AUTH (the server authenticated the device with
 * its own key).
 */
final class AdbServerClient {

    /** The longest request the four hex digits can announce. */
    private static final int MAX_REQUEST = 0xFFFF;

    /** One line of {@code adb devices -l}; {@code model} is empty when the server does not know it. */
    record AttachedDevice(String serial, String state, String model) {
        @Override
        public String toString() {
            return serial + " (" + state + ")" + (model.isEmpty() ? "" : " " + model);
        }
    }

    /** The server answered FAIL: the request was understood and refused, for the reason given. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
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

    /** {@code host:port}, for messages. */
    String address() {
        return host + ":" + port;
    }

    /**
     * The devices the server sees, with their states ({@code host:devices-l}).
     *
     * @throws java.net.ConnectException when no server listens on the port
     */
    List<AttachedDevice> devices() throws IOException {
        return parse(query("host:devices-l"));
    }

    /** What the device and the server both support ({@code host-serial:SERIAL:features}). */
    Set<String> features(String serial) throws IOException {
        String listing = query("host-serial:" + serial + ":features");
        return Arrays.stream(listing.strip().split(",")).map(String::strip).filter(f -> !f.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * A new socket to the server, connected within the connect timeout, whose reads give up after
     * it too until {@link #openService} hands the socket over.
     */
    Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            socket.setSoTimeout(connectTimeoutMillis);
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Switches {@code socket} to device {@code serial} and opens {@code service} on it; from then
     * on the socket carries the service's raw stream, and its reads wait without limit (the
     * caller bounds them).
     *
     * @throws Refused naming the serial (or the service) when the server answers FAIL: an unknown
     *                 or vanished device, an unauthorized one, a service the device refuses
     */
    void openService(Socket socket, String serial, String service) throws IOException {
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        String transport = "host:transport:" + serial;
        send(out, transport);
        String status = readStatus(in);
        if (!status.equals("OKAY")) {
            throw refused(in, status, "device " + serial + " through the adb server at " + address()
                    + " (" + transport + ")");
        }
        send(out, service);
        status = readStatus(in);
        if (!status.equals("OKAY")) {
            throw refused(in, status, "opening " + abbreviate(service) + " on device " + serial
                    + " through the adb server at " + address());
        }
        socket.setSoTimeout(0);
    }

    /**
     * Starts a local server on this client's port with the adb program, as the adb command does
     * when none runs; waits for it at most the connect timeout (at least 20 seconds: a first start
     * writes the server's key).
     */
    void startServer() throws IOException {
        String adb = findAdb();
        ProcessBuilder builder = new ProcessBuilder(adb, "-P", Integer.toString(port), "start-server")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectInput(ProcessBuilder.Redirect.from(new File(File.separatorChar == '/' ? "/dev/null" : "NUL")));
        Process process = builder.start();
        long waitMillis = Math.max(connectTimeoutMillis, 20_000);
        try {
            if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException("'" + adb + " start-server' did not finish within " + waitMillis + " ms");
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while starting the adb server");
        }
        if (process.exitValue() != 0) {
            throw new IOException("'" + adb + " start-server' failed with exit code " + process.exitValue());
        }
    }

    static List<AttachedDevice> parse(String listing) {
        List<AttachedDevice> devices = new ArrayList<>();
        for (String line : listing.split("\n")) {
            String[] fields = line.strip().split("\\s+");
            if (fields.length >= 2) {
                String model = Arrays.stream(fields).filter(f -> f.startsWith("model:"))
                        .map(f -> f.substring("model:".length())).findFirst().orElse("");
                devices.add(new AttachedDevice(fields[0], fields[1], model));
            }
        }
        return devices;
    }

    /** A {@code host:} request whose OKAY carries a hex-4-length answer. */
    private String query(String request) throws IOException {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            send(out, request);
            String status = readStatus(in);
            if (!status.equals("OKAY")) {
                throw refused(in, status, request);
            }
            return readString(in, readLength(in));
        }
    }

    static void send(OutputStream out, String request) throws IOException {
        byte[] text = request.getBytes(StandardCharsets.UTF_8);
        if (text.length > MAX_REQUEST) {
            throw new IOException("a request of " + text.length + " bytes is longer than the adb server takes ("
                    + MAX_REQUEST + "): " + abbreviate(request));
        }
        out.write(String.format("%04x", text.length).getBytes(StandardCharsets.US_ASCII));
        out.write(text);
        out.flush();
    }

    private static String readStatus(InputStream in) throws IOException {
        return readString(in, 4);
    }

    /** The FAIL's reason as an exception about {@code what}; anything else is a protocol error. */
    private IOException refused(InputStream in, String status, String what) throws IOException {
        if (!status.equals("FAIL")) {
            return new IOException("the adb server at " + address() + " answered '" + status + "' to " + what);
        }
        return new Refused("the adb server refused " + what + ": " + readString(in, readLength(in)));
    }

    private static int readLength(InputStream in) throws IOException {
        String hex = readString(in, 4);
        try {
            return Integer.parseInt(hex, 16);
        } catch (NumberFormatException e) {
            throw new IOException("the adb server sent '" + hex + "' where a hex length belongs");
        }
    }

    private static String readString(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new java.io.EOFException("the adb server closed the connection after " + bytes.length + " of "
                    + length + " bytes of its answer");
        }
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String abbreviate(String request) {
        return request.length() <= 60 ? request : request.substring(0, 60) + "...";
    }

    /**
     * The adb program: {@code $ANDROID_HOME} or {@code $ANDROID_SDK_ROOT}'s platform-tools, else
     * the first {@code adb} on the {@code PATH}.
     */
    private static String findAdb() throws IOException {
        String executable = File.separatorChar == '\\' ? "adb.exe" : "adb";
        List<Path> candidates = new ArrayList<>();
        for (String sdk : new String[] {System.getenv("ANDROID_HOME"), System.getenv("ANDROID_SDK_ROOT")}) {
            if (sdk != null && !sdk.isBlank()) {
                candidates.add(Path.of(sdk, "platform-tools", executable));
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isBlank()) {
                    candidates.add(Path.of(dir, executable));
                }
            }
        }
        return candidates.stream().filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new IOException("no adb program in $ANDROID_HOME/platform-tools, "
                        + "$ANDROID_SDK_ROOT/platform-tools or the PATH"));
    }
}

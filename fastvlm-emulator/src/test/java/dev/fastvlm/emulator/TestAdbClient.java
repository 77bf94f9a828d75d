package dev.fastvlm.emulator;

import dev.fastvlm.adb.protocol.AdbAuthToken;
import dev.fastvlm.adb.protocol.AdbKeyFiles;
import dev.fastvlm.adb.protocol.AdbMessage;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A small, synchronous ADB client for the emulator's own tests: one stream at a time, each read
 * and write bounded by the socket's time limit. It knows the protocol from AOSP's
 * {@code protocol.txt}, {@code SYNC.TXT} and {@code shell_protocol.h}, not from the library's
 * client (which depends on this module's test jar, never the other way round). Shared with other
 * modules' tests through this module's test jar.
 */
public final class TestAdbClient implements AutoCloseable {
    private static final int TIMEOUT_MILLIS = 60_000;
    private static final int SYNC_DATA_MAX = 64 * 1024;

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int maxPayload;
    private final Set<String> features;
    private int lastLocalId;

    private TestAdbClient(Socket socket, DataInputStream in, OutputStream out, AdbMessage banner) {
        this.socket = socket;
        this.in = in;
        this.out = out;
        this.maxPayload = Math.min(banner.arg1(), AdbMessage.MAX_PAYLOAD);
        String text = new String(banner.payload(), StandardCharsets.UTF_8);
        this.features = Arrays.stream(text.substring(text.indexOf("::") + 2).split(";"))
                .filter(p -> p.startsWith("features="))
                .flatMap(p -> Arrays.stream(p.substring("features=".length()).split(",")))
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Connects to an emulated adbd and authenticates with {@code privateKey}.
     *
     * @param port       the device's port on 127.0.0.1
     * @param privateKey the adb key; null for a device that asks for none
     * @return the connected client
     * @throws IOException if the device refuses the key or the connection fails
     */
    public static TestAdbClient connect(int port, Path privateKey) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        try {
            socket.setSoTimeout(TIMEOUT_MILLIS);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 1 << 16));
            OutputStream out = socket.getOutputStream();
            out.write(AdbMessage.of(AdbMessage.CNXN, AdbMessage.VERSION_SKIP_CHECKSUM, AdbMessage.MAX_PAYLOAD,
                    "host::fastvlm-test\0".getBytes(StandardCharsets.UTF_8)).encode());
            boolean signed = false;
            while (true) {
                AdbMessage m = read(in);
                if (m.command() == AdbMessage.CNXN) {
                    return new TestAdbClient(socket, in, out, m);
                }
                if (m.command() != AdbMessage.AUTH || privateKey == null || signed) {
                    throw new IOException("the device did not accept " + (privateKey == null ? "a connection without a key"
                            : "the key " + privateKey) + " (it answered " + AdbMessage.name(m.command()) + ")");
                }
                byte[] signature = AdbAuthToken.sign(AdbKeyFiles.readPrivateKey(privateKey), m.payload());
                out.write(AdbMessage.of(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0, signature).encode());
                signed = true;
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            socket.close();
            throw e instanceof IOException io ? io : new IOException(e);
        }
    }

    /**
     * Connects with the tests' shared key ({@link TestAdbKey#shared()}).
     *
     * @param device a device whose options authorize the shared key
     * @return the connected client
     * @throws IOException if the connection fails
     */
    public static TestAdbClient connect(DeviceEmulator device) throws IOException {
        return connect(device.port(), TestAdbKey.shared().privateKey());
    }

    /**
     * What a {@code shell,v2} program printed and how it ended.
     *
     * @param exitCode its exit code
     * @param stdout   its standard output
     * @param stderr   its standard error
     */
    public record ShellResult(int exitCode, String stdout, String stderr) {
        /**
         * Both outputs, for messages.
         *
         * @return standard output, then standard error
         */
        public String allOutput() {
            return stdout + stderr;
        }
    }

    /**
     * Whether the device's banner lists a feature.
     *
     * @param feature e.g. {@code shell_v2}
     * @return true if listed
     */
    public boolean supportsFeature(String feature) {
        return features.contains(feature);
    }

    /**
     * Runs a command under {@code shell,v2} and waits for its exit.
     *
     * @param command the shell command line
     * @return its output and exit code
     * @throws IOException if the device refuses the stream or the connection fails
     */
    public ShellResult shell(String command) throws IOException {
        try (Stream stream = open("shell,v2,raw:" + command)) {
            DataInputStream packets = new DataInputStream(stream.input());
            ByteArrayOutputStream stdout = new ByteArrayOutputStream();
            ByteArrayOutputStream stderr = new ByteArrayOutputStream();
            while (true) {
                int id = packets.readUnsignedByte();
                byte[] data = new byte[readIntLe(packets)];
                packets.readFully(data);
                switch (id) {
                    case 1 -> stdout.write(data);
                    case 2 -> stderr.write(data);
                    case 3 -> {
                        return new ShellResult(data[0] & 0xff, stdout.toString(StandardCharsets.UTF_8),
                                stderr.toString(StandardCharsets.UTF_8));
                    }
                    default -> throw new IOException("unknown shell packet id " + id);
                }
            }
        }
    }

    /**
     * Pushes a host file (sync SEND).
     *
     * @param local  the host file
     * @param remote the device path
     * @param mode   its permission bits, e.g. {@code 0644}
     * @throws IOException with the device's message after "FAIL" when it refuses the file
     */
    public void push(Path local, String remote, int mode) throws IOException {
        byte[] content = Files.readAllBytes(local);
        try (Stream stream = open("sync:")) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            syncHeader(request, "SEND", (remote + "," + mode).getBytes(StandardCharsets.UTF_8));
            for (int offset = 0; offset < content.length; offset += SYNC_DATA_MAX) {
                int n = Math.min(SYNC_DATA_MAX, content.length - offset);
                syncHeader(request, "DATA", n);
                request.write(content, offset, n);
                if (request.size() >= maxPayload) {
                    stream.write(request.toByteArray());
                    request.reset();
                }
            }
            syncHeader(request, "DONE", (int) (System.currentTimeMillis() / 1000));
            stream.write(request.toByteArray());
            DataInputStream reply = new DataInputStream(stream.input());
            String id = readId(reply);
            int length = readIntLe(reply);
            if (id.equals("FAIL")) {
                throw new IOException("FAIL: " + readText(reply, length));
            }
            if (!id.equals("OKAY")) {
                throw new IOException("unexpected sync reply " + id + " to SEND " + remote);
            }
        }
    }

    /**
     * Pulls a device file (sync RECV); the host file is written only when the whole file arrived.
     *
     * @param remote the device path
     * @param local  the host file
     * @throws IOException with the device's message after "FAIL" when it refuses the file
     */
    public void pull(String remote, Path local) throws IOException {
        try (Stream stream = open("sync:")) {
            ByteArrayOutputStream request = new ByteArrayOutputStream();
            syncHeader(request, "RECV", remote.getBytes(StandardCharsets.UTF_8));
            stream.write(request.toByteArray());
            DataInputStream reply = new DataInputStream(stream.input());
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            while (true) {
                String id = readId(reply);
                int length = readIntLe(reply);
                switch (id) {
                    case "DATA" -> content.write(reply.readNBytes(length));
                    case "DONE" -> {
                        Files.write(local, content.toByteArray());
                        return;
                    }
                    case "FAIL" -> throw new IOException("FAIL: " + readText(reply, length));
                    default -> throw new IOException("unexpected sync reply " + id + " to RECV " + remote);
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private Stream open(String service) throws IOException {
        int localId = ++lastLocalId;
        send(AdbMessage.of(AdbMessage.OPEN, localId, 0, (service + "\0").getBytes(StandardCharsets.UTF_8)));
        while (true) {
            AdbMessage m = read(in);
            if (m.arg1() != localId) {
                continue;
            }
            if (m.command() == AdbMessage.OKAY) {
                return new Stream(localId, m.arg0());
            }
            if (m.command() == AdbMessage.CLSE) {
                throw new IOException("the device refused to open " + service);
            }
        }
    }

    private void send(AdbMessage message) throws IOException {
        out.write(message.encode());
        out.flush();
    }

    private static AdbMessage read(DataInputStream in) throws IOException {
        AdbMessage m = AdbMessage.read(in, AdbMessage.MAX_PAYLOAD, true);
        if (m == null) {
            throw new EOFException("the device closed the connection");
        }
        return m;
    }

    private static void syncHeader(ByteArrayOutputStream out, String id, byte[] argument) {
        syncHeader(out, id, argument.length);
        out.writeBytes(argument);
    }

    private static void syncHeader(ByteArrayOutputStream out, String id, int argument) {
        out.writeBytes(id.getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(argument).array());
    }

    private static String readId(DataInputStream in) throws IOException {
        byte[] id = new byte[4];
        in.readFully(id);
        return new String(id, StandardCharsets.US_ASCII);
    }

    private static int readIntLe(DataInputStream in) throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    private static String readText(DataInputStream in, int length) throws IOException {
        byte[] text = new byte[length];
        in.readFully(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    /** One open stream: WRTEs out, each waiting for the device's OKAY; WRTEs in, each acknowledged. */
    private final class Stream implements AutoCloseable {
        private final int localId;
        private final int remoteId;
        /** Payloads received and not yet read; the first is read from {@link #position}. */
        private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
        private int position;
        private boolean remoteClosed;

        Stream(int localId, int remoteId) {
            this.localId = localId;
            this.remoteId = remoteId;
        }

        void write(byte[] data) throws IOException {
            for (int offset = 0; offset < data.length; offset += maxPayload) {
                int n = Math.min(maxPayload, data.length - offset);
                send(AdbMessage.of(AdbMessage.WRTE, localId, remoteId, Arrays.copyOfRange(data, offset, offset + n)));
                while (true) {
                    AdbMessage m = next();
                    if (m == null) {
                        throw new EOFException("the device closed the stream");
                    }
                    if (m.command() == AdbMessage.OKAY) {
                        break;
                    }
                }
            }
        }

        InputStream input() {
            return new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    while (pending.isEmpty() || position == pending.peekFirst().length) {
                        if (!pending.isEmpty()) {
                            pending.removeFirst();
                            position = 0;
                        } else if (remoteClosed || next() == null) {
                            return -1;
                        }
                    }
                    byte[] first = pending.peekFirst();
                    int n = Math.min(len, first.length - position);
                    System.arraycopy(first, position, b, off, n);
                    position += n;
                    return n;
                }
            };
        }

        /** The next message for this stream; a WRTE is buffered and acknowledged; null after CLSE. */
        private AdbMessage next() throws IOException {
            while (true) {
                AdbMessage m = read(in);
                if (m.arg1() != localId) {
                    continue;
                }
                switch (m.command()) {
                    case AdbMessage.WRTE -> {
                        pending.addLast(m.payload());
                        send(AdbMessage.of(AdbMessage.OKAY, localId, remoteId));
                        return m;
                    }
                    case AdbMessage.CLSE -> {
                        remoteClosed = true;
                        return null;
                    }
                    default -> {
                        return m;
                    }
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (!remoteClosed) {
                send(AdbMessage.of(AdbMessage.CLSE, localId, remoteId));
            }
        }
    }
}

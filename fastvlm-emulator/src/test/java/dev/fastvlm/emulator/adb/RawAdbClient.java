package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbAuthToken;
import dev.fastvlm.adb.protocol.AdbKeyFiles;
import dev.fastvlm.adb.protocol.AdbMessage;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

/**
 * A hand-driven ADB client for the tests that must misbehave: it sends exactly the messages a test
 * asks for, and reads what the device answers, with a time limit on every read.
 */
final class RawAdbClient implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawAdbClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(10_000);
        in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
    }

    /** Sends CNXN announcing {@code maxData}, returns the device's answer (AUTH TOKEN or CNXN). */
    AdbMessage connect(int maxData) throws IOException {
        send(AdbMessage.CNXN, AdbMessage.VERSION_SKIP_CHECKSUM, maxData, "host::raw-test\0".getBytes(StandardCharsets.UTF_8));
        return read();
    }

    void send(int command, int arg0, int arg1, byte[] payload) throws IOException {
        out.write(AdbMessage.of(command, arg0, arg1, payload).encode());
        out.flush();
    }

    /** Sends without flushing, for floods. */
    void queue(int command, int arg0, int arg1, byte[] payload) throws IOException {
        out.write(AdbMessage.of(command, arg0, arg1, payload).encode());
    }

    void flush() throws IOException {
        out.flush();
    }

    /** The next message; fails with SocketTimeoutException if none comes within the socket's time limit. */
    AdbMessage read() throws IOException {
        AdbMessage m = AdbMessage.read(in, AdbConnection.DEVICE_MAX_PAYLOAD, true);
        if (m == null) {
            throw new java.io.EOFException("the device closed the connection");
        }
        return m;
    }

    /** The next message within {@code millis}, or null if none came (the device stays silent). */
    AdbMessage readWithin(int millis) throws IOException {
        int before = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            return read();
        } catch (SocketTimeoutException silent) {
            return null;
        } finally {
            socket.setSoTimeout(before);
        }
    }

    /** Authenticates with the key (or fails the test): the device's token signed, then its banner. */
    void authenticate(Path privateKey) throws Exception {
        AdbMessage token = connect(AdbConnection.DEVICE_MAX_PAYLOAD);
        if (token.command() != AdbMessage.AUTH || token.arg0() != AdbMessage.AUTH_TOKEN) {
            throw new AssertionError("expected an AUTH token, got " + AdbMessage.name(token.command()));
        }
        send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0, sign(privateKey, token.payload()));
        AdbMessage banner = read();
        if (banner.command() != AdbMessage.CNXN) {
            throw new AssertionError("expected the banner, got " + AdbMessage.name(banner.command()));
        }
    }

    /** Opens a stream and returns the device's id for it, or -1 if the device refused it (CLSE). */
    int open(int localId, String service) throws IOException {
        send(AdbMessage.OPEN, localId, 0, (service + "\0").getBytes(StandardCharsets.UTF_8));
        while (true) {
            AdbMessage m = read();
            if (m.arg1() != localId) {
                continue;
            }
            if (m.command() == AdbMessage.OKAY) {
                return m.arg0();
            }
            if (m.command() == AdbMessage.CLSE) {
                return -1;
            }
        }
    }

    /** adb's {@code RSA_sign(NID_sha1, token)}, as the adb client does it. */
    static byte[] sign(Path privateKey, byte[] token) throws IOException, GeneralSecurityException {
        return AdbAuthToken.sign(AdbKeyFiles.readPrivateKey(privateKey), token);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}

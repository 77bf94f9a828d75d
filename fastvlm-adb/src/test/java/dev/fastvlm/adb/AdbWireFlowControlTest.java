package dev.fastvlm.adb;

import dev.fastvlm.adb.protocol.AdbMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link AdbWire}'s side of ADB's flow control, against a scripted device on a socket: the
 * device's WRTEs are acknowledged as they arrive while little is unread, and held back once a
 * megabyte waits for the reader, until the reader takes it.
 */
@Timeout(30)
class AdbWireFlowControlTest {

    private static final int DEVICE_STREAM = 77;

    @TempDir
    Path dir;

    /** The device end of the connection: raw protocol messages. */
    private static final class ScriptedDevice {
        final DataInputStream in;
        final OutputStream out;

        ScriptedDevice(Socket socket) throws IOException {
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
        }

        AdbMessage read() throws IOException {
            return AdbMessage.read(in, AdbMessage.MAX_PAYLOAD, true);
        }

        void send(int command, int arg0, int arg1, byte[] payload) throws IOException {
            out.write(AdbMessage.of(command, arg0, arg1, payload).encode());
            out.flush();
        }
    }

    @Test
    void theDeviceMaySendOnBeforeTheReaderHasReadAndNotBeyondAMegabyteUnread() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Socket hostSocket = new Socket("127.0.0.1", server.getLocalPort());
            try (Socket deviceSocket = server.accept()) {
                // A read that never ends is a failure here, not a hung build (socket reads ignore interrupts).
                deviceSocket.setSoTimeout(10_000);
                ScriptedDevice device = new ScriptedDevice(deviceSocket);
                // Handshake: the host's CNXN first, then the device's, with a version that skips checksums.
                Thread banner = new Thread(() -> {
                    try {
                        assertThat(device.read().command()).isEqualTo(AdbMessage.CNXN);
                        device.send(AdbMessage.CNXN, AdbMessage.VERSION_SKIP_CHECKSUM, AdbMessage.MAX_PAYLOAD,
                                "device::features=shell_v2".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
                banner.start();
                AdbWire wire = AdbWire.connect(hostSocket, AdbKeys.load(dir.resolve("adbkey")), 10_000);
                banner.join();
                try {
                    Thread opener = new Thread(() -> {
                        try {
                            AdbMessage open = device.read();
                            assertThat(open.command()).isEqualTo(AdbMessage.OPEN);
                            device.send(AdbMessage.OKAY, DEVICE_STREAM, open.arg0(), new byte[0]);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    opener.start();
                    AdbStream stream = wire.open("sync:");
                    opener.join();

                    byte[] small = "STAT".getBytes(StandardCharsets.US_ASCII);
                    device.send(AdbMessage.WRTE, DEVICE_STREAM, 1, small);
                    assertThat(device.read().command()).as("acknowledged while nobody reads the stream")
                            .isEqualTo(AdbMessage.OKAY);

                    byte[] large = new byte[AdbMessage.MAX_PAYLOAD];
                    Arrays.fill(large, (byte) 9);
                    device.send(AdbMessage.WRTE, DEVICE_STREAM, 1, large);
                    deviceSocket.setSoTimeout(300);
                    assertThatThrownBy(device::read).as("over a megabyte unread: the OKAY waits")
                            .isInstanceOf(SocketTimeoutException.class);

                    byte[] first = new byte[small.length];
                    new DataInputStream(stream.input()).readFully(first);
                    assertThat(first).isEqualTo(small);
                    new DataInputStream(stream.input()).readFully(new byte[1024]);
                    deviceSocket.setSoTimeout(10_000);
                    assertThat(device.read().command()).as("the reader took the first message: the held OKAY goes")
                            .isEqualTo(AdbMessage.OKAY);
                } finally {
                    wire.close();
                }
            }
        }
    }
}

package dev.fastvlm.adb;

import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The adb server's smart-socket handshake, against a scripted server: requests framed with their
 * hex-4 length, OKAY or FAIL read back, a FAIL's reason surfaced with the serial it concerns, and
 * after {@code host:transport:SERIAL} plus the service the socket's raw bytes are the service's.
 */
@Timeout(30)
class AdbServerHandshakeTest {

    /** A server that answers each connection with {@code script}, recording every request it read. */
    private static final class ScriptedServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0);
        final List<String> requests = new CopyOnWriteArrayList<>();

        ScriptedServer(BiConsumer<Conversation, String> script) throws IOException {
            Thread thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket client = socket.accept()) {
                        Conversation c = new Conversation(client, requests);
                        script.accept(c, c.request());
                    } catch (IOException | RuntimeException e) {
                        // the next connection gets the script again
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        AdbServerClient client() {
            return new AdbServerClient("127.0.0.1", socket.getLocalPort(), 2000);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** One client connection, seen from the server. */
    private static final class Conversation {
        final DataInputStream in;
        final OutputStream out;
        final List<String> requests;

        Conversation(Socket socket, List<String> requests) throws IOException {
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.requests = requests;
        }

        String request() {
            try {
                byte[] length = in.readNBytes(4);
                byte[] text = in.readNBytes(Integer.parseInt(new String(length, StandardCharsets.US_ASCII), 16));
                String request = new String(text, StandardCharsets.UTF_8);
                requests.add(new String(length, StandardCharsets.US_ASCII) + request);
                return request;
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void reply(String text) {
            reply(text.getBytes(StandardCharsets.UTF_8));
        }

        void reply(byte[] bytes) {
            try {
                out.write(bytes);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        void fail(String reason) {
            reply("FAIL" + String.format("%04x", reason.length()) + reason);
        }
    }

    @Test
    void requestsCarryTheirHexLengthAndAnswersTheirs() throws Exception {
        String listing = "R5CT1     device usb:1-1 product:pa3q model:SM_S938B device:pa3q transport_id:1\n";
        try (ScriptedServer server = new ScriptedServer((c, request) -> {
            if (request.equals("host:devices-l")) {
                c.reply("OKAY" + String.format("%04x", listing.length()) + listing);
            } else {
                c.reply("OKAY0014shell_v2,cmd,stat_v2");
            }
        })) {
            assertThat(server.client().devices()).containsExactly(
                    new AdbServerClient.AttachedDevice("R5CT1", "device", "SM_S938B"));
            assertThat(server.client().features("R5CT1")).containsExactlyInAnyOrder("shell_v2", "cmd", "stat_v2");
            assertThat(server.requests).containsExactly("000ehost:devices-l", "001ahost-serial:R5CT1:features");
        }
    }

    @Test
    void aTransportFailNamesTheSerialAndTheServersReason() throws Exception {
        try (ScriptedServer server = new ScriptedServer((c, request) -> c.fail("device 'R5CT9' not found"))) {
            AdbServerClient client = server.client();
            assertThatThrownBy(() -> {
                try (Socket socket = client.connect()) {
                    client.openService(socket, "R5CT9", "sync:");
                }
            }).isInstanceOf(AdbServerClient.Refused.class)
                    .hasMessageContaining("device R5CT9")
                    .hasMessageContaining("host:transport:R5CT9")
                    .hasMessageContaining("device 'R5CT9' not found");
            assertThat(server.requests).containsExactly("0014host:transport:R5CT9");
        }
    }

    @Test
    void aServiceTheDeviceRefusesIsNamedWithTheSerial() throws Exception {
        try (ScriptedServer server = new ScriptedServer((c, request) -> {
            c.reply("OKAY");
            c.request();
            c.fail("closed");
        })) {
            AdbServerClient client = server.client();
            assertThatThrownBy(() -> {
                try (Socket socket = client.connect()) {
                    client.openService(socket, "R5CT1", "shell,v2,raw:echo hi");
                }
            }).isInstanceOf(AdbServerClient.Refused.class)
                    .hasMessageContaining("opening shell,v2,raw:echo hi on device R5CT1")
                    .hasMessageContaining(": closed");
        }
    }

    @Test
    void afterTheHandshakeTheSocketIsTheServicesRawStream() throws Exception {
        // shell v2 packets straight on the socket: stdout "hi\n", stderr "oops", exit 5; no A_OPEN, no WRTE.
        try (ScriptedServer server = new ScriptedServer((c, request) -> {
            if (request.startsWith("host-serial:")) {
                c.reply("OKAY0008shell_v2");
                return;
            }
            c.reply("OKAY");
            c.request();
            c.reply("OKAY");
            ByteArrayOutputStream packets = new ByteArrayOutputStream();
            // The wrapper script's first line is the program's PID, which the transport keeps to itself.
            packet(packets, 1, "4242\nhi\n".getBytes(StandardCharsets.US_ASCII));
            packet(packets, 2, "oops".getBytes(StandardCharsets.US_ASCII));
            packet(packets, 3, new byte[] {5});
            c.reply(packets.toByteArray());
        })) {
            try (AdbTransport adb = new AdbTransport("R5CT1", () -> AdbLink.viaServer(server.client(), "R5CT1"),
                    AdbLink.viaServer(server.client(), "R5CT1"))) {
                ByteArrayOutputStream stdout = new ByteArrayOutputStream();
                var result = adb.run(DeviceCommand.of("anything"), new OutputListener() {
                    @Override
                    public void onStdout(byte[] data, int offset, int length) {
                        stdout.write(data, offset, length);
                    }
                });
                assertThat(result.exitCode()).isEqualTo(5);
                assertThat(result.stderrTail()).isEqualTo("oops");
                assertThat(stdout.toString(StandardCharsets.US_ASCII)).isEqualTo("hi\n");
            }
            assertThat(server.requests.get(1)).isEqualTo("0014host:transport:R5CT1");
            assertThat(server.requests.get(2)).contains("shell,v2,raw:");
        }
    }

    @Test
    void aServerThatAnswersNothingEndsTheOpenAtTheConnectTimeout() throws Exception {
        try (ScriptedServer server = new ScriptedServer((c, request) -> {
            try {
                Thread.sleep(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        })) {
            AdbServerClient client = server.client();
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                try (Socket socket = client.connect()) {
                    client.openService(socket, "R5CT1", "sync:");
                }
            }).isInstanceOf(SocketTimeoutException.class);
            assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1900L, 8000L);
        }
    }

    @Test
    void aRequestTooLongForFourHexDigitsIsRefusedBeforeSending() {
        String huge = "shell,v2,raw:" + "x".repeat(70_000);
        assertThatThrownBy(() -> AdbServerClient.send(OutputStream.nullOutputStream(), huge))
                .isInstanceOf(IOException.class).hasMessageContaining("70013 bytes")
                .hasMessageContaining("65535");
    }

    @Test
    void anUnknownDeviceFailsTheConnectionWithTheSerial() throws Exception {
        try (ScriptedServer server = new ScriptedServer((c, request) -> c.fail("device 'gone' not found"))) {
            assertThatThrownBy(() -> AdbLink.viaServer(server.client(), "gone"))
                    .isInstanceOf(AdbServerClient.Refused.class)
                    .hasMessageContaining("host-serial:gone:features")
                    .hasMessageContaining("device 'gone' not found");
        }
    }

    private static void packet(ByteArrayOutputStream out, int id, byte[] data) {
        out.write(id);
        out.write(data.length);
        out.write(data.length >>> 8);
        out.write(data.length >>> 16);
        out.write(data.length >>> 24);
        out.writeBytes(data);
    }
}

package dev.fastvlm.adb;

import dev.fastvlm.DeviceException;
import dev.fastvlm.DeviceNotFoundException;
import dev.fastvlm.DeviceUnauthorizedException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.HostAdb;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AdbTransport through Debian's real adb server, after {@code adb connect} to emulators. */
class AdbTransportViaServerTest {

    @TempDir
    static Path home;
    static DeviceEmulator first;
    static HostAdb server;

    @TempDir
    Path host;

    @BeforeAll
    static void start() throws IOException {
        server = HostAdb.start(home);
        first = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(server.publicKey()).build());
        server.connect(first.serial());
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
        first.close();
    }

    @Test
    void theOnlyDeviceIsChosenAndWorks() throws IOException {
        try (AdbTransport adb = AdbTransport.builder().adbServer("127.0.0.1", server.serverPort()).build()) {
            assertThat(adb.target()).isEqualTo(first.serial());
            assertThat(adb.run(DeviceCommand.of("sh", "-c", "exit 3"), OutputListener.NONE).exitCode()).isEqualTo(3);
            assertThat(adb.facts().socModel()).isEqualTo(first.soc().name());

            Path source = TestSupport.randomFile(host.resolve("blob"), 200_001);
            adb.push(source, "/data/local/tmp/viaserver/blob it's.bin", TransferListener.NONE);
            assertThat(first.hostPath("/data/local/tmp/viaserver/blob it's.bin")).hasSameBinaryContentAs(source);
            Path back = host.resolve("back");
            adb.pull("/data/local/tmp/viaserver/blob it's.bin", back, TransferListener.NONE);
            assertThat(back).hasSameBinaryContentAs(source);
        }
    }

    @Test
    void severalDevicesNeedASerialAndTheErrorListsThem() throws IOException {
        try (DeviceEmulator second = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(server.publicKey()).build())) {
            server.connect(second.serial());
            try {
                assertThatThrownBy(() -> AdbTransport.builder().adbServer("127.0.0.1", server.serverPort()).build())
                        .isInstanceOf(DeviceNotFoundException.class)
                        .hasMessageContaining("2 devices")
                        .hasMessageContaining(first.serial() + " (device)")
                        .hasMessageContaining(second.serial() + " (device)");
                try (AdbTransport adb = AdbTransport.builder().adbServer("127.0.0.1", server.serverPort())
                        .serial(second.serial()).build()) {
                    adb.write("/data/local/tmp/which", 6, out -> out.write("second".getBytes(StandardCharsets.UTF_8)),
                            TransferListener.NONE);
                }
                assertThat(second.hostPath("/data/local/tmp/which")).hasContent("second");
                assertThat(first.hostPath("/data/local/tmp/which")).doesNotExist();
                assertThat(AdbTransport.builder().adbServer("127.0.0.1", server.serverPort()).readySerials())
                        .containsExactlyInAnyOrder(first.serial(), second.serial());
            } finally {
                server.run(30, "disconnect", second.serial());
            }
        }
    }

    @Test
    void anUnknownSerialIsNotFoundAndTheAttachedOnesAreListed() {
        assertThatThrownBy(() -> AdbTransport.builder().adbServer("127.0.0.1", server.serverPort()).serial("R5CT1234").build())
                .isInstanceOf(DeviceNotFoundException.class)
                .hasMessageContaining("'R5CT1234' is not attached")
                .hasMessageContaining(first.serial());
    }

    @Test
    void noServerAndNoStartIsDeviceNotFoundWithAnInstruction() throws IOException {
        int port = HostAdb.freePort();
        assertThatThrownBy(() -> AdbTransport.builder().adbServer("127.0.0.1", port).startServer(false).build())
                .isInstanceOf(DeviceNotFoundException.class)
                .hasMessageContaining("no adb server is running at 127.0.0.1:" + port)
                .hasMessageContaining("adb start-server");
    }

    @Test
    void unauthorizedAndOfflineDevicesGetTheirOwnErrors() throws Exception {
        // The emulator always authorizes, so a scripted server answers host:devices for these states.
        try (ScriptedServer scripted = new ScriptedServer("R5CT1          unauthorized usb:1-1 transport_id:4\n"
                + "R5CT2          offline usb:1-2 transport_id:5\n"
                + "R5CT3          recovery usb:1-3 product:pa3q model:SM_S938B device:pa3q transport_id:6\n")) {
            AdbTransportBuilder builder = AdbTransport.builder().adbServer("127.0.0.1", scripted.port()).startServer(false);
            assertThatThrownBy(() -> builder.serial("R5CT1").build())
                    .isInstanceOf(DeviceUnauthorizedException.class)
                    .hasMessageContaining("accept the 'Allow USB debugging?' prompt");
            assertThatThrownBy(() -> builder.serial("R5CT2").build())
                    .isInstanceOf(DeviceException.class).hasMessageContaining("R5CT2 is offline");
            assertThatThrownBy(() -> builder.serial("R5CT3").build())
                    .isInstanceOf(DeviceException.class).hasMessageContaining("state 'recovery'");
            assertThatThrownBy(() -> builder.serial("R5CT9").build())
                    .isInstanceOf(DeviceNotFoundException.class)
                    .hasMessageContaining("R5CT3 (recovery) SM_S938B");
            assertThat(builder.readySerials()).as("only devices ready to use").isEmpty();
        }
        try (ScriptedServer empty = new ScriptedServer("")) {
            assertThatThrownBy(() -> AdbTransport.builder().adbServer("127.0.0.1", empty.port()).startServer(false).build())
                    .isInstanceOf(DeviceNotFoundException.class).hasMessageContaining("no device is attached");
        }
    }

    /** Answers every {@code host:devices-l} request with a fixed listing, as the adb server would. */
    private static final class ScriptedServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0);
        private final Thread thread;

        ScriptedServer(String listing) throws IOException {
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket client = socket.accept()) {
                        InputStream in = client.getInputStream();
                        int length = Integer.parseInt(new String(in.readNBytes(4), StandardCharsets.US_ASCII), 16);
                        String request = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
                        OutputStream out = client.getOutputStream();
                        byte[] payload = listing.getBytes(StandardCharsets.UTF_8);
                        String reply = request.equals("host:devices-l") ? "OKAY" : "FAIL";
                        out.write((reply + String.format("%04x", payload.length)).getBytes(StandardCharsets.US_ASCII));
                        out.write(payload);
                        out.flush();
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

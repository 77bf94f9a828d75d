package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbMessage;

import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.TestAdbClient;
import dev.fastvlm.emulator.TestAdbKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MalformedPacketTest {
    static DeviceEmulator device;

    @BeforeAll
    static void start() {
        device = DeviceEmulator.start(TestAdbKey.options().build());
    }

    @AfterAll
    static void stop() {
        device.close();
    }

    private static byte[] header(int command, int arg0, int arg1, int length, int check, int magic) {
        return ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putInt(command).putInt(arg0).putInt(arg1)
                .putInt(length).putInt(check).putInt(magic).array();
    }

    private static byte[] cnxn() {
        byte[] banner = "host::\0".getBytes(StandardCharsets.UTF_8);
        return AdbMessage.of(AdbMessage.CNXN, AdbMessage.VERSION_SKIP_CHECKSUM, 256 * 1024, banner).encode();
    }

    /** Sends the bytes and reports whether the device then closed the connection (without answering more). */
    private static boolean closedAfter(byte[]... writes) throws Exception {
        try (Socket s = new Socket("127.0.0.1", device.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (byte[] w : writes) {
                out.write(w);
            }
            out.flush();
            byte[] skip = new byte[65536];
            while (true) {
                int n = in.read(skip);
                if (n < 0) {
                    return true;
                }
            }
        } catch (java.net.SocketTimeoutException e) {
            return false;
        }
    }

    private static void deviceStillServes() throws Exception {
        try (TestAdbClient adb = TestAdbClient.connect(device)) {
            assertThat(adb.shell("echo alive").stdout()).isEqualTo("alive\n");
        }
    }

    @Test
    void wellFormedConnectStaysOpen() throws Exception {
        assertThat(closedAfter(cnxn())).isFalse();
    }

    @Test
    void badMagicClosesTheConnection() throws Exception {
        assertThat(closedAfter(header(AdbMessage.CNXN, 0x01000001, 4096, 0, 0, 0x12345678))).isTrue();
        deviceStillServes();
    }

    @Test
    void badChecksumClosesTheConnection() throws Exception {
        byte[] payload = "host::\0".getBytes(StandardCharsets.UTF_8);
        byte[] h = header(AdbMessage.CNXN, 0x01000001, 4096, payload.length, 12345, ~AdbMessage.CNXN);
        assertThat(closedAfter(h, payload)).isTrue();
        deviceStillServes();
    }

    @Test
    void oversizedLengthClosesTheConnection() throws Exception {
        assertThat(closedAfter(cnxn(), header(AdbMessage.WRTE, 1, 1, 64 * 1024 * 1024, 0, ~AdbMessage.WRTE))).isTrue();
        deviceStillServes();
    }

    @Test
    void unknownCommandClosesTheConnection() throws Exception {
        int bogus = 0x5a5a5a5a;
        assertThat(closedAfter(cnxn(), header(bogus, 0, 0, 0, 0, ~bogus))).isTrue();
        deviceStillServes();
    }

    @Test
    void openBeforeConnectClosesTheConnection() throws Exception {
        byte[] service = "shell:echo\0".getBytes(StandardCharsets.UTF_8);
        assertThat(closedAfter(AdbMessage.of(AdbMessage.OPEN, 1, 0, service).encode())).isTrue();
        deviceStillServes();
    }
}

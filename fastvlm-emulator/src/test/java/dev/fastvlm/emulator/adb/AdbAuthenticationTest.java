package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbMessage;

import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.HostAdb;
import dev.fastvlm.emulator.TestAdbKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Who gets in: real RSA verification of the AUTH exchange, with a raw client and Debian's adb. */
class AdbAuthenticationTest {
    static DeviceEmulator device;
    @TempDir
    static Path dir;
    static TestAdbKey stranger;

    @BeforeAll
    static void start() {
        device = DeviceEmulator.start(TestAdbKey.options().build());
        stranger = TestAdbKey.create(dir);
    }

    @AfterAll
    static void stop() {
        device.close();
    }

    @Test
    void theAuthorizedKeysSignatureIsLetIn() throws Exception {
        try (RawAdbClient client = new RawAdbClient(device.port())) {
            client.authenticate(TestAdbKey.shared().privateKey());
            assertThat(client.open(1, "shell:echo in")).isPositive();
        }
    }

    @Test
    void aSignatureOfZerosIsRefusedWithAFreshToken() throws Exception {
        try (RawAdbClient client = new RawAdbClient(device.port())) {
            AdbMessage first = client.connect(4096);
            assertThat(first.command()).isEqualTo(AdbMessage.AUTH);
            assertThat(first.arg0()).isEqualTo(AdbMessage.AUTH_TOKEN);
            assertThat(first.payload()).hasSize(20);

            client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0, new byte[256]);
            AdbMessage second = client.read();
            assertThat(second.command()).isEqualTo(AdbMessage.AUTH);
            assertThat(second.arg0()).isEqualTo(AdbMessage.AUTH_TOKEN);
            assertThat(second.payload()).isNotEqualTo(first.payload());
            assertNotLetIn(client);
        }
    }

    @Test
    void randomAndShortSignaturesAreRefused() throws Exception {
        byte[] random = new byte[256];
        new Random(18).nextBytes(random);
        for (byte[] signature : new byte[][] {random, new byte[0], new byte[20], Arrays.copyOf(random, 512)}) {
            try (RawAdbClient client = new RawAdbClient(device.port())) {
                client.connect(4096);
                client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0, signature);
                AdbMessage answer = client.read();
                assertThat(answer.command()).as("answer to a %d-byte signature", signature.length).isEqualTo(AdbMessage.AUTH);
                assertNotLetIn(client);
            }
        }
    }

    @Test
    void anUnknownKeysSignatureIsRefusedAndOfferingItsPublicKeyLeavesTheConnectionUnauthorized() throws Exception {
        try (RawAdbClient client = new RawAdbClient(device.port())) {
            AdbMessage token = client.connect(4096);
            client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0,
                    RawAdbClient.sign(stranger.privateKey(), token.payload()));
            assertThat(client.read().arg0()).isEqualTo(AdbMessage.AUTH_TOKEN);
            byte[] publicKey = (Files.readString(stranger.publicKey()).strip() + "\0").getBytes(StandardCharsets.UTF_8);
            client.send(AdbMessage.AUTH, AdbMessage.AUTH_RSAPUBLICKEY, 0, publicKey);
            assertThat(client.readWithin(1500)).as("a phone waits for its user; this one never says yes").isNull();
            assertNotLetIn(client);
        }
    }

    @Test
    void aSignatureOfAnEarlierTokenIsRefused() throws Exception {
        try (RawAdbClient client = new RawAdbClient(device.port())) {
            AdbMessage first = client.connect(4096);
            client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0, new byte[256]);
            assertThat(client.read().arg0()).isEqualTo(AdbMessage.AUTH_TOKEN);
            client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0,
                    RawAdbClient.sign(TestAdbKey.shared().privateKey(), first.payload()));
            assertThat(client.read().arg0()).as("a replayed signature gets another token").isEqualTo(AdbMessage.AUTH_TOKEN);
        }
    }

    @Test
    void keyFilesAreReadAgainAtEachAuthentication() throws Exception {
        Path later = dir.resolve("later/adbkey.pub");
        try (DeviceEmulator waiting = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(later).build())) {
            try (RawAdbClient client = new RawAdbClient(waiting.port())) {
                AdbMessage token = client.connect(4096);
                client.send(AdbMessage.AUTH, AdbMessage.AUTH_SIGNATURE, 0,
                        RawAdbClient.sign(stranger.privateKey(), token.payload()));
                assertThat(client.read().arg0()).isEqualTo(AdbMessage.AUTH_TOKEN);
            }
            Files.createDirectories(later.getParent());
            Files.copy(stranger.publicKey(), later);
            try (RawAdbClient client = new RawAdbClient(waiting.port())) {
                client.authenticate(stranger.privateKey());
            }
        }
    }

    @Test
    void theUsersOwnAdbKeyIsAuthorizedByDefault() {
        assumeTrue(System.getenv("ANDROID_USER_HOME") == null, "ANDROID_USER_HOME is set: adb keeps the key there");
        Path expected = Path.of(System.getProperty("user.home"), ".android", "adbkey.pub");
        assertThat(AdbAuthorization.userPublicKey()).isEqualTo(expected);
        assertThat(AdbAuthorization.of(EmulatorOptions.defaults()).keyFiles()).containsExactly(expected);
        assertThat(AdbAuthorization.of(EmulatorOptions.defaults()).required()).isTrue();
    }

    @Test
    void insecureLetsAnyoneInWithoutAuthentication() throws Exception {
        try (DeviceEmulator open = DeviceEmulator.start(EmulatorOptions.builder().insecure(true).build());
             RawAdbClient client = new RawAdbClient(open.port())) {
            assertThat(client.connect(4096).command()).isEqualTo(AdbMessage.CNXN);
        }
    }

    @Test
    void debiansAdbWithAnUnknownKeyIsUnauthorizedAndWithAnAuthorizedOneIsADevice() throws Exception {
        try (HostAdb adb = HostAdb.start(dir.resolve("adb-home"))) {
            HostAdb.Result connect = adb.run(30, "connect", device.serial());
            assertThat(connect.stdout() + connect.stderr()).doesNotContain("connected to " + device.serial() + "\n");
            assertThat(adb.run(30, "devices").stdout()).contains(device.serial() + "\tunauthorized");
            HostAdb.Result shell = adb.run(30, "-s", device.serial(), "shell", "echo in");
            assertThat(shell.exitCode()).isNotZero();
            assertThat(shell.stdout()).doesNotContain("in");
            adb.run(30, "disconnect", device.serial());

            try (DeviceEmulator knowing = DeviceEmulator.start(EmulatorOptions.builder()
                    .authorizedKeys(adb.publicKey()).build())) {
                adb.connect(knowing.serial());
                assertThat(adb.run(30, "devices").stdout()).contains(knowing.serial() + "\tdevice");
                assertThat(adb.run(30, "-s", knowing.serial(), "shell", "echo in").stdout()).isEqualTo("in\n");
                adb.run(30, "disconnect", knowing.serial());
            }
        }
    }

    /** An OPEN on a connection that was not let in ends the connection, and no banner ever came. */
    private static void assertNotLetIn(RawAdbClient client) throws IOException {
        client.send(AdbMessage.OPEN, 7, 0, "shell:id\0".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> {
            while (true) {
                AdbMessage m = client.read();
                assertThat(m.command()).as("no banner, no stream").isNotIn(AdbMessage.CNXN, AdbMessage.OKAY);
            }
        }).isInstanceOfAny(EOFException.class, SocketException.class);
    }
}

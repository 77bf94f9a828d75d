package dev.fastvlm.emulator;

import dadb.AdbShellResponse;
import dadb.Dadb;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

// dadb.Dadb.close() is declared to throw InterruptedException (its Kotlin signature); try-with-resources on it is
// still the right way to close a connection, so javac's "try" lint has nothing to say here.
@SuppressWarnings("try")
class DadbTest {

    @Test
    void shellV2GivesSeparateStreamsAndTheExitCode() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             Dadb dadb = Dadb.create("127.0.0.1", device.port(), TestAdbKey.shared().dadb())) {
            AdbShellResponse r = dadb.shell("echo to-out; echo to-err >&2; exit 7");
            assertThat(r.getOutput()).isEqualTo("to-out\n");
            assertThat(r.getErrorOutput()).isEqualTo("to-err\n");
            assertThat(r.getExitCode()).isEqualTo(7);
            assertThat(dadb.supportsFeature("shell_v2")).isTrue();
            assertThat(dadb.shell("getprop ro.soc.model").getOutput()).isEqualTo("SM8750\n");
        }
    }

    @Test
    void aKeyTheDeviceDoesNotKnowIsNotLetIn(@TempDir Path dir) throws Exception {
        TestAdbKey stranger = TestAdbKey.create(dir);
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build())) {
            // dadb offers its public key after the refused signature, then waits for the (never coming) banner
            assertThatThrownBy(() -> Dadb.create("127.0.0.1", device.port(), stranger.dadb(), 3000, 3000).shell("echo in"))
                    .isInstanceOf(Exception.class);
        }
    }

    @Test
    void pushAndPullRoundTrip(@TempDir Path dir) throws Exception {
        byte[] data = new byte[200_003];
        new Random(1).nextBytes(data);
        Path local = dir.resolve("a.bin");
        Files.write(local, data);
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             Dadb dadb = Dadb.create("127.0.0.1", device.port(), TestAdbKey.shared().dadb())) {
            dadb.push(local.toFile(), "/data/local/tmp/x/a.bin", 0755, System.currentTimeMillis());
            assertThat(device.hostPath("/data/local/tmp/x/a.bin")).hasBinaryContent(data).isExecutable();
            Path back = dir.resolve("b.bin");
            dadb.pull(back.toFile(), "/data/local/tmp/x/a.bin");
            assertThat(back).hasBinaryContent(data);
        }
    }

    @Test
    void pushOutsideTheSandboxIsRefused(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("a.txt");
        Files.writeString(local, "x");
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             Dadb dadb = Dadb.create("127.0.0.1", device.port(), TestAdbKey.shared().dadb())) {
            Files.createSymbolicLink(device.hostPath("/sdcard/link"), outside);
            assertThatThrownBy(() -> dadb.push(local.toFile(), "/sdcard/link/a.txt", 0644, 0))
                    .isInstanceOf(IOException.class).hasMessageContaining("FAIL");
            assertThat(outside).isEmptyDirectory();
            assertThatThrownBy(() -> dadb.push(local.toFile(), "/../../../../../" + outside + "/b.txt", 0644, 0))
                    .isInstanceOf(IOException.class).hasMessageContaining("FAIL");
            assertThat(outside).isEmptyDirectory();
            Files.writeString(outside.resolve("secret"), "s");
            assertThatThrownBy(() -> dadb.pull(dir.resolve("got").toFile(), "/sdcard/link/secret"))
                    .isInstanceOf(IOException.class);
            assertThat(dir.resolve("got")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        }
    }
}

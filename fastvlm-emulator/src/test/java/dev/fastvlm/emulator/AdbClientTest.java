package dev.fastvlm.emulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The emulated adbd's shell, sync and authentication, through an ADB client of the tests' own. */
class AdbClientTest {

    @Test
    void shellV2GivesSeparateStreamsAndTheExitCode() throws Exception {
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             TestAdbClient adb = TestAdbClient.connect(device)) {
            TestAdbClient.ShellResult r = adb.shell("echo to-out; echo to-err >&2; exit 7");
            assertThat(r.stdout()).isEqualTo("to-out\n");
            assertThat(r.stderr()).isEqualTo("to-err\n");
            assertThat(r.exitCode()).isEqualTo(7);
            assertThat(adb.supportsFeature("shell_v2")).isTrue();
            assertThat(adb.shell("getprop ro.soc.model").stdout()).isEqualTo("SM8750\n");
        }
    }

    @Test
    void aKeyTheDeviceDoesNotKnowIsNotLetIn(@TempDir Path dir) throws Exception {
        TestAdbKey stranger = TestAdbKey.create(dir);
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build())) {
            // the refused signature is answered with a fresh token, never with the banner
            assertThatThrownBy(() -> TestAdbClient.connect(device.port(), stranger.privateKey()))
                    .isInstanceOf(IOException.class).hasMessageContaining("did not accept the key");
        }
    }

    @Test
    void pushAndPullRoundTrip(@TempDir Path dir) throws Exception {
        byte[] data = new byte[200_003];
        new Random(1).nextBytes(data);
        Path local = dir.resolve("a.bin");
        Files.write(local, data);
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build());
             TestAdbClient adb = TestAdbClient.connect(device)) {
            adb.push(local, "/data/local/tmp/x/a.bin", 0755);
            assertThat(device.hostPath("/data/local/tmp/x/a.bin")).hasBinaryContent(data).isExecutable();
            Path back = dir.resolve("b.bin");
            adb.pull("/data/local/tmp/x/a.bin", back);
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
             TestAdbClient adb = TestAdbClient.connect(device)) {
            Files.createSymbolicLink(device.hostPath("/sdcard/link"), outside);
            assertThatThrownBy(() -> adb.push(local, "/sdcard/link/a.txt", 0644))
                    .isInstanceOf(IOException.class).hasMessageContaining("FAIL");
            assertThat(outside).isEmptyDirectory();
            assertThatThrownBy(() -> adb.push(local, "/../../../../../" + outside + "/b.txt", 0644))
                    .isInstanceOf(IOException.class).hasMessageContaining("FAIL");
            assertThat(outside).isEmptyDirectory();
            Files.writeString(outside.resolve("secret"), "s");
            assertThatThrownBy(() -> adb.pull("/sdcard/link/secret", dir.resolve("got")))
                    .isInstanceOf(IOException.class);
            assertThat(dir.resolve("got")).satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).isEmptyFile());
        }
    }
}

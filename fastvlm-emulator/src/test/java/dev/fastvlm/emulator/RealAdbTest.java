package dev.fastvlm.emulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class RealAdbTest {
    static DeviceEmulator device;
    static HostAdb adb;
    @TempDir
    static Path adbHome;

    @BeforeAll
    static void connect() throws Exception {
        adb = HostAdb.start(adbHome);
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(adb.publicKey()).soc(EmulatedSoc.SM8650)
                .build());
        adb.connect(device.serial());
    }

    @AfterAll
    static void disconnect() throws Exception {
        if (adb != null) {
            adb.close();
        }
        if (device != null) {
            device.close();
        }
    }

    @Test
    void shellExitCodeReachesAdb() throws Exception {
        HostAdb.Result r = adb.run(30, "-s", device.serial(), "shell", "exit 3");
        assertThat(r.exitCode()).isEqualTo(3);
    }

    @Test
    void shellSeparatesStdoutAndStderr() throws Exception {
        HostAdb.Result r = adb.run(30, "-s", device.serial(), "shell", "echo out; echo err >&2; exit 0");
        assertThat(r.exitCode()).isZero();
        assertThat(r.stdout()).isEqualTo("out\n");
        assertThat(r.stderr()).isEqualTo("err\n");
    }

    @Test
    void getpropAnswersTheEmulatedChip() throws Exception {
        HostAdb.Result r = adb.run(30, "-s", device.serial(), "shell", "getprop", "ro.soc.model");
        assertThat(r.stdout().strip()).isEqualTo("SM8650");
        HostAdb.Result missing = adb.run(30, "-s", device.serial(), "shell", "getprop", "no.such.prop");
        assertThat(missing.stdout()).isEqualTo("\n");
    }

    @Test
    void deviceListShowsTheEmulatedModel() throws Exception {
        HostAdb.Result r = adb.run(30, "devices", "-l");
        assertThat(r.stdout()).contains(device.serial()).contains("model:FastVLM_emulated_SM8650");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65535, 65536, 65537, 3 * 65536 + 7})
    void pushAndPullAreByteIdentical(int size, @TempDir Path dir) throws Exception {
        byte[] data = new byte[size];
        new Random(size).nextBytes(data);
        Path local = dir.resolve("in.bin");
        Files.write(local, data);
        String remote = "/data/local/tmp/adb-test/f" + size + ".bin";
        HostAdb.Result push = adb.run(60, "-s", device.serial(), "push", local.toString(), remote);
        assertThat(push.exitCode()).as(push.toString()).isZero();
        assertThat(device.sandbox().resolve("data/local/tmp/adb-test/f" + size + ".bin")).hasBinaryContent(data);
        Path back = dir.resolve("out.bin");
        HostAdb.Result pull = adb.run(60, "-s", device.serial(), "pull", remote, back.toString());
        assertThat(pull.exitCode()).as(pull.toString()).isZero();
        assertThat(back).hasBinaryContent(data);
    }

    @Test
    void shellSeesPushedFilesAtTheirDevicePaths(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("hello.txt");
        Files.writeString(local, "hello device\n");
        adb.run(30, "-s", device.serial(), "push", local.toString(), "/sdcard/hello/hello.txt");
        HostAdb.Result r = adb.run(30, "-s", device.serial(), "shell", "cat /sdcard/hello/hello.txt && ls /sdcard/hello");
        assertThat(r.stdout()).isEqualTo("hello device\nhello.txt\n");
    }

    @Test
    void pullOfAMissingFileFails(@TempDir Path dir) throws Exception {
        HostAdb.Result r = adb.run(30, "-s", device.serial(), "pull", "/data/local/tmp/none", dir.resolve("x").toString());
        assertThat(r.exitCode()).as(r.toString()).isNotZero();
        // adb 29 prints this error on stdout or stderr depending on whether stdout is a tty
        assertThat(r.stdout() + r.stderr()).contains("failed to stat remote object").contains("No such file or directory");
    }

    @Test
    void execOutStreamsRawBytes(@TempDir Path dir) throws Exception {
        byte[] data = new byte[70_000];
        new Random(7).nextBytes(data);
        Files.createDirectories(device.hostPath("/sdcard/raw"));
        Files.write(device.hostPath("/sdcard/raw/raw.bin"), data);
        Path out = dir.resolve("out.bin");
        Process p = new ProcessBuilder(adb.executable(), "-P", Integer.toString(adb.serverPort()), "-s", device.serial(),
                "exec-out", "cat /sdcard/raw/raw.bin").redirectOutput(out.toFile()).start();
        assertThat(p.waitFor()).isZero();
        assertThat(out).hasBinaryContent(data);
    }
}

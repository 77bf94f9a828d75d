package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fastvlm emulator} in a child JVM, as a user runs it: the user's own adb key is let in
 * without options, and TERM or INT leave no sandbox and no device process behind.
 */
class EmulatorSignalTest {
    @TempDir
    Path tmp;
    private Path adbHome;
    private int adbPort;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT"})
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theUsersKeyIsLetInAndASignalRemovesTheSandbox(String signal) throws Exception {
        Process child = startEmulator();
        try {
            String serial = awaitSerial(child);
            assertThat(sandboxes()).hasSize(1);
            startAdb();
            assertThat(adb("connect", serial)).contains("connected to " + serial);
            adb("-s", serial, "wait-for-device");
            assertThat(adb("devices")).contains(serial + "\tdevice");
            assertThat(adb("-s", serial, "shell", "echo in")).isEqualTo("in\n");

            signal(child, signal);
            assertThat(sandboxes()).as("temporary sandboxes after " + signal).isEmpty();
        } finally {
            child.destroyForcibly();
            stopAdb();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void termKillsAHangingDeviceProcess() throws Exception {
        Process child = startEmulator();
        Process hanging = null;
        try {
            String serial = awaitSerial(child);
            startAdb();
            adb("connect", serial);
            adb("-s", serial, "wait-for-device");
            hanging = adbProcess("-s", serial, "shell", "sleep 1234.5");
            ProcessHandle sleep = awaitDescendant(child, "1234.5");

            signal(child, "TERM");
            assertThat(sleep.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("the device's sleep").isFalse();
            assertThat(sandboxes()).isEmpty();
        } finally {
            child.destroyForcibly();
            if (hanging != null) {
                hanging.destroyForcibly();
            }
            stopAdb();
        }
    }

    private Process startEmulator() throws IOException {
        Path childTmp = Files.createDirectories(tmp.resolve("tmp"));
        adbHome = Files.createDirectories(tmp.resolve("home"));
        String java = ProcessHandle.current().info().command().orElse("java");
        // user.home is where the emulator looks for the user's ~/.android/adbkey.pub
        ProcessBuilder builder = new ProcessBuilder(java, "-Djava.io.tmpdir=" + childTmp, "-Duser.home=" + adbHome,
                "-cp", System.getProperty("java.class.path"), FastVlmCli.class.getName(), "emulator", "--port", "0")
                .redirectError(tmp.resolve("child.err").toFile()).redirectOutput(tmp.resolve("child.out").toFile());
        builder.environment().remove("ANDROID_USER_HOME");
        return builder.start();
    }

    private String awaitSerial(Process child) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            String out = Files.readString(tmp.resolve("child.out"), StandardCharsets.UTF_8);
            if (out.contains("\n")) {
                return out.lines().findFirst().orElseThrow().strip();
            }
            assertThat(child.isAlive()).as("the emulator runs: %s", Files.readString(tmp.resolve("child.err"))).isTrue();
            assertThat(System.nanoTime()).as("the emulator printed its serial").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private List<Path> sandboxes() throws IOException {
        try (Stream<Path> entries = Files.list(tmp.resolve("tmp"))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("fastvlm-emulator-")).toList();
        }
    }

    private static void signal(Process child, String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(child.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the emulator ends on " + signal).isTrue();
    }

    private static ProcessHandle awaitDescendant(Process child, String argument) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            var found = child.descendants().filter(p -> p.info().arguments()
                    .map(args -> List.of(args).contains(argument)).orElse(false)).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
            assertThat(System.nanoTime()).as("the device process started").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /** A private adb server (its own port and home, so its own key: the child's "user's" key). */
    private void startAdb() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            adbPort = s.getLocalPort();
        }
        adb("start-server");
    }

    private void stopAdb() {
        if (adbPort != 0) {
            try {
                adb("kill-server");
            } catch (IOException | RuntimeException e) {
                // the server may not have started
            }
        }
    }

    private String adb(String... args) throws IOException {
        Process p = adbProcess(args);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("adb " + String.join(" ", args) + " timed out");
            }
            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    private Process adbProcess(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("adb", "-P", Integer.toString(adbPort)));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HOME", adbHome.toString());
        builder.environment().put("ANDROID_USER_HOME", adbHome.resolve(".android").toString());
        return builder.start();
    }
}

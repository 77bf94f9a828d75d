package dev.fastvlm.emulator;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The host's real {@code adb} program (Debian's), with its own server on a free port and its own
 * home folder (so its key and settings never touch the user's {@code ~/.android}). Shared with
 * other modules' tests through this module's test jar.
 */
public final class HostAdb implements AutoCloseable {
    private final String adb;
    private final int serverPort;
    private final Path home;

    private HostAdb(String adb, int serverPort, Path home) {
        this.adb = adb;
        this.serverPort = serverPort;
        this.home = home;
    }

    /** Starts an adb server whose home (and adb key) is {@code home}. */
    public static HostAdb start(Path home) throws IOException {
        Files.createDirectories(home);
        HostAdb host = new HostAdb(find(), freePort(), home);
        Result r = host.run(60, "start-server");
        if (r.exitCode() != 0) {
            throw new IllegalStateException("adb start-server failed: " + r);
        }
        return host;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String find() {
        for (String candidate : new String[] {"/usr/bin/adb", "/usr/lib/android-sdk/platform-tools/adb"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, "adb"))) {
                    return Path.of(dir, "adb").toString();
                }
            }
        }
        throw new IllegalStateException("these tests need the real adb program: install it with "
                + "`apt-get install adb` (the CI script .ci/run does)");
    }

    /** @return the public half of this adb's key ({@code home/.android/adbkey.pub}, written by its server) */
    public Path publicKey() {
        return home.resolve(".android").resolve("adbkey.pub");
    }

    public int serverPort() {
        return serverPort;
    }

    public String executable() {
        return adb;
    }

    /** Connects to the emulator and waits until adb sees it as a device. */
    public void connect(String serial) throws IOException {
        Result r = run(30, "connect", serial);
        if (!r.stdout().contains("connected to")) {
            throw new IllegalStateException("adb connect " + serial + " failed: " + r);
        }
        Result w = run(30, "-s", serial, "wait-for-device");
        if (w.exitCode() != 0) {
            throw new IllegalStateException("adb wait-for-device failed: " + w);
        }
    }

    public Result run(long timeoutSeconds, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(adb);
        cmd.add("-P");
        cmd.add(Integer.toString(serverPort));
        cmd.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("ANDROID_USER_HOME", home.resolve(".android").toString());
        Path out = Files.createTempFile(home, "adb", ".out");
        Path err = Files.createTempFile(home, "adb", ".err");
        try {
            Process p = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("adb " + String.join(" ", args) + " timed out");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @Override
    public void close() throws IOException {
        run(30, "kill-server");
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }
}

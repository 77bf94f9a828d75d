package dev.fastvlm.adb;

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
 * Debian's real {@code adb} with a server of its own on a free port and its own key folder, so
 * tests touch neither a developer's adb server nor {@code ~/.android}. Killed on close.
 */
final class RealAdbServer implements AutoCloseable {

    private final String adb;
    private final int port;
    private final Path home;

    private RealAdbServer(String adb, int port, Path home) {
        this.adb = adb;
        this.port = port;
        this.home = home;
    }

    static RealAdbServer start(Path home) throws IOException {
        RealAdbServer server = new RealAdbServer(find(), freePort(), home);
        Result started = server.run("start-server");
        if (started.exitCode() != 0) {
            throw new IllegalStateException("adb start-server failed: " + started);
        }
        return server;
    }

    static String find() {
        for (String candidate : new String[] {"/usr/bin/adb", "/usr/lib/android-sdk/platform-tools/adb"}) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("these tests need Debian's adb program: apt-get install adb");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    /** {@code adb connect SERIAL}, then waits until the server lists it as a device. */
    void connect(String serial) throws IOException {
        Result connected = run("connect", serial);
        if (!connected.stdout().contains("connected to")) {
            throw new IllegalStateException("adb connect " + serial + " failed: " + connected);
        }
        Result ready = run("-s", serial, "wait-for-device");
        if (ready.exitCode() != 0) {
            throw new IllegalStateException("adb wait-for-device failed: " + ready);
        }
    }

    Result run(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(adb, "-P", Integer.toString(port)));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().put("HOME", home.toString());
        builder.environment().put("ANDROID_USER_HOME", home.resolve(".android").toString());
        Path out = Files.createTempFile(home, "adb", ".out");
        Path err = Files.createTempFile(home, "adb", ".err");
        try {
            Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("adb " + String.join(" ", args) + " did not finish in 60 s");
            }
            return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
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
        run("kill-server");
    }

    record Result(int exitCode, String stdout, String stderr) {
    }
}

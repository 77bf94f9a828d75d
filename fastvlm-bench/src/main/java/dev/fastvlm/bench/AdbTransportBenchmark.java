package dev.fastvlm.bench;

import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * AdbTransport against Debian's {@code adb} program, both talking to one device emulator: a
 * 300 MB push (issue target: at least 0.9x the speed of {@code adb push}) and a small command's
 * round trip (target: at least 10x faster than spawning {@code adb shell} per command).
 * {@code transport} pushes straight to the emulator's adbd ({@code direct}) or through the same
 * adb server the adb program uses ({@code server}). {@code smallCommandEmulatorShellFloor} is the
 * emulator's own per-command cost, included in both round trips.
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar AdbTransportBenchmark -f 1 -wi 1 -i 3
 * </pre>
 *
 * <p>Each JMH trial measures one side at a time; on a machine shared with other jobs,
 * {@link AdbPushComparison} gives the push ratio of both connection kinds from interleaved pushes.
 */
@State(Scope.Benchmark)
public class AdbTransportBenchmark {

    static final int PUSH_BYTES = 300 * 1024 * 1024;
    static final String DEVICE_FILE = "/data/local/tmp/bench/push.bin";

    @Param({"direct", "server"})
    public String transport;

    private DeviceEmulator device;
    private Path work;
    private Path payload;
    private String adb;
    private int serverPort;
    private AdbTransport adbTransport;

    @Setup(Level.Trial)
    public void start() throws IOException {
        work = Files.createTempDirectory("fastvlm-bench-adb");
        payload = work.resolve("push.bin");
        byte[] chunk = new byte[1 << 20];
        new Random(7).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(payload)) {
            for (int written = 0; written < PUSH_BYTES; written += chunk.length) {
                out.write(chunk);
            }
        }
        // the private adb server's key and the direct transport's key, both of this run only
        device = DeviceEmulator.start(EmulatorOptions.builder().sandbox(work.resolve("sandbox"))
                .authorizedKeys(adbHome().resolve(".android/adbkey.pub"), work.resolve("adbkey.pub")).build());
        adb = Files.isExecutable(Path.of("/usr/bin/adb")) ? "/usr/bin/adb" : "adb";
        try (ServerSocket socket = new ServerSocket(0)) {
            serverPort = socket.getLocalPort();
        }
        Files.createDirectories(adbHome());
        adb("start-server");
        adb("connect", device.serial());
        adb("-s", device.serial(), "wait-for-device");
        adb("-s", device.serial(), "shell", "mkdir -p /data/local/tmp/bench");
        adbTransport = transport.equals("direct")
                ? AdbTransport.builder().direct("127.0.0.1", device.port()).adbKey(work.resolve("adbkey")).build()
                : AdbTransport.builder().adbServer("127.0.0.1", serverPort).serial(device.serial()).build();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        adbTransport.close();
        adb("kill-server");
        device.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void push300MbAdbTransport() {
        adbTransport.push(payload, DEVICE_FILE, TransferListener.NONE);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public void push300MbAdbProgram() throws IOException {
        adb("-s", device.serial(), "push", payload.toString(), DEVICE_FILE);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int smallCommandAdbTransport() {
        return adbTransport.run(DeviceCommand.of("echo", "ok"), OutputListener.NONE).exitCode();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int smallCommandAdbShellProcess() throws IOException {
        return adb("-s", device.serial(), "shell", "echo", "ok");
    }

    /**
     * What the emulator itself spends per command (it forks {@code /bin/sh} on this host): the
     * floor under both small-command figures, which a phone's adbd does not share.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int smallCommandEmulatorShellFloor() throws IOException, InterruptedException {
        return new ProcessBuilder("/bin/sh", "-c", "echo $$; exec 'echo' 'ok'")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }

    private Path adbHome() {
        return work.resolve("adb-home");
    }

    private int adb(String... args) throws IOException {
        return runAdb(adb, serverPort, adbHome(), args);
    }

    /**
     * Runs Debian's adb program against the private server on {@code serverPort}, whose home (and
     * key) is {@code home}; shared with {@link AdbPushComparison}.
     *
     * @param adb        the adb program
     * @param serverPort the private server's port
     * @param home       the server's home folder
     * @param args       the adb command's arguments
     * @return 0
     * @throws IOException when it cannot start or exits with another code
     */
    static int runAdb(String adb, int serverPort, Path home, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(adb, "-P", Integer.toString(serverPort)));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        // Debian's adb 29 keeps its key under $HOME/.android; newer ones under $ANDROID_USER_HOME
        builder.environment().put("HOME", home.toString());
        builder.environment().put("ANDROID_USER_HOME", home.resolve(".android").toString());
        try {
            int exit = builder.start().waitFor();
            if (exit != 0) {
                throw new IOException("adb " + String.join(" ", args) + " exited with " + exit);
            }
            return exit;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}

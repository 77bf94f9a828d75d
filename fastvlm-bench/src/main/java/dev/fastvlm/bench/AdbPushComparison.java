package dev.fastvlm.bench;

import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.TransferListener;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One run, both connection kinds: a 300 MiB push with {@code AdbTransport} straight to the
 * emulator's adbd ({@code direct}), with {@code AdbTransport} through Debian's adb server
 * ({@code server}), and with Debian's {@code adb push} through that same server, interleaved
 * round by round (the order rotating) so that a machine shared with other jobs loads all three
 * alike. Prints each side's median and the speed ratio {@code adb push / AdbTransport} per
 * connection kind (target: at least 0.9); exits 1 if a ratio misses it.
 *
 * <p>Usage: {@code java -cp fastvlm-bench/target/benchmarks.jar dev.fastvlm.bench.AdbPushComparison [ROUNDS]}
 * (7 measured rounds by default, after one unmeasured).
 */
public final class AdbPushComparison {

    private static final double TARGET = 0.9;
    private static final int PUSH_BYTES = AdbTransportBenchmark.PUSH_BYTES;
    private static final String DEVICE_FILE = AdbTransportBenchmark.DEVICE_FILE;

    private final Path work;
    private final Path payload;
    private final String adb = Files.isExecutable(Path.of("/usr/bin/adb")) ? "/usr/bin/adb" : "adb";
    private final int serverPort;

    private AdbPushComparison(Path work) throws IOException {
        this.work = work;
        this.payload = work.resolve("push.bin");
        try (ServerSocket socket = new ServerSocket(0)) {
            serverPort = socket.getLocalPort();
        }
    }

    /**
     * Runs the comparison.
     *
     * @param args the number of measured rounds (default 7)
     * @throws Exception when the emulator, the adb server or a push fails
     */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path work = Files.createTempDirectory("fastvlm-bench-adb-push");
        try {
            System.exit(new AdbPushComparison(work).run(rounds) ? 0 : 1);
        } finally {
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private boolean run(int rounds) throws Exception {
        byte[] chunk = new byte[1 << 20];
        new Random(7).nextBytes(chunk);
        try (OutputStream out = Files.newOutputStream(payload)) {
            for (int written = 0; written < PUSH_BYTES; written += chunk.length) {
                out.write(chunk);
            }
        }
        Path adbHome = work.resolve("adb-home");
        Files.createDirectories(adbHome);
        // The private adb server's key and the direct transport's key, both of this run only.
        try (DeviceEmulator device = DeviceEmulator.start(EmulatorOptions.builder().sandbox(work.resolve("sandbox"))
                .authorizedKeys(adbHome.resolve(".android/adbkey.pub"), work.resolve("adbkey.pub")).build())) {
            adb("start-server");
            try {
                adb("connect", device.serial());
                adb("-s", device.serial(), "wait-for-device");
                adb("-s", device.serial(), "shell", "mkdir -p /data/local/tmp/bench");
                try (AdbTransport direct = AdbTransport.builder().direct("127.0.0.1", device.port())
                        .adbKey(work.resolve("adbkey")).build();
                     AdbTransport viaServer = AdbTransport.builder().adbServer("127.0.0.1", serverPort)
                             .serial(device.serial()).build()) {
                    Map<String, Push> sides = new LinkedHashMap<>();
                    sides.put("AdbTransport direct", () -> direct.push(payload, DEVICE_FILE, TransferListener.NONE));
                    sides.put("AdbTransport server", () -> viaServer.push(payload, DEVICE_FILE, TransferListener.NONE));
                    sides.put("adb push (server)", () -> adb("-s", device.serial(), "push", payload.toString(), DEVICE_FILE));
                    return compare(sides, rounds);
                }
            } finally {
                adb("kill-server");
            }
        }
    }

    private static boolean compare(Map<String, Push> sides, int rounds) throws Exception {
        List<String> names = new ArrayList<>(sides.keySet());
        Map<String, double[]> millis = new LinkedHashMap<>();
        names.forEach(name -> millis.put(name, new double[rounds]));
        for (int round = -1; round < rounds; round++) {
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(Math.floorMod(round + i, names.size()));
                long start = System.nanoTime();
                sides.get(name).run();
                double ms = (System.nanoTime() - start) / 1e6;
                if (round >= 0) {
                    millis.get(name)[round] = ms;
                }
            }
            System.out.printf("round %d of %d%s%n", round + 1, rounds, round < 0 ? " (warm-up, not counted)" : "");
        }
        System.out.printf("%nmedian of %d pushes of %d MiB each:%n", rounds, PUSH_BYTES >> 20);
        millis.forEach((name, ms) -> System.out.printf("  %-22s %8.0f ms   (all: %s)%n", name, median(ms),
                Arrays.toString(Arrays.stream(ms).mapToLong(Math::round).toArray())));
        double theirs = median(millis.get("adb push (server)"));
        boolean met = true;
        for (String kind : new String[] {"direct", "server"}) {
            double ratio = theirs / median(millis.get("AdbTransport " + kind));
            met &= ratio >= TARGET;
            System.out.printf("push speed, AdbTransport %s / adb push: %.2fx (target >= %.1f: %s)%n", kind, ratio,
                    TARGET, ratio >= TARGET ? "met" : "NOT MET");
        }
        return met;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** One push, timed from outside. */
    @FunctionalInterface
    private interface Push {
        void run() throws Exception;
    }

    private void adb(String... args) throws IOException {
        AdbTransportBenchmark.runAdb(adb, serverPort, work.resolve("adb-home"), args);
    }
}

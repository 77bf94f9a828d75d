package dev.fastvlm.emulator.seal;

import dev.fastvlm.emulator.Confinement;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.HostAdb;
import dev.fastvlm.emulator.TestAdbClient;
import dev.fastvlm.emulator.ToolEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Probes the emulated device as an attacker who reaches its port would, with Debian's {@code adb}
 * and the tests' own ADB client: nothing it runs or transfers may reach the host outside the
 * sandbox. Run once per confinement by the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SealedDeviceTest {
    /** The names a device's {@code /} may hold; any other top-level name of the host's {@code /} must not show. */
    private static final Set<String> DEVICE_TOP = Set.of("apex", "bin", "data", "dev", "etc", "lib", "lib64", "proc",
            "sdcard", "storage", "system", "usr", "vendor");

    private DeviceEmulator device;
    private HostAdb adb;
    @TempDir
    static Path adbHome;
    @TempDir
    static Path outside;

    abstract Confinement confinement();

    @BeforeAll
    void start() throws Exception {
        adb = HostAdb.start(adbHome);
        device = DeviceEmulator.start(EmulatorOptions.builder().confinement(confinement())
                .authorizedKeys(adb.publicKey()).build());
        adb.connect(device.serial());
    }

    @AfterAll
    void stop() throws Exception {
        if (adb != null) {
            adb.close();
        }
        if (device != null) {
            device.close();
        }
    }

    private HostAdb.Result shell(String command) throws Exception {
        return adb.run(60, "-s", device.serial(), "shell", command);
    }

    @Test
    void confinementIsTheOneAskedFor() {
        assertThat(device.confinement()).isEqualTo(confinement());
    }

    @Test
    void idAnswersAsThePhonesShellUser() throws Exception {
        assertThat(shell("id").stdout()).startsWith("uid=2000(shell) gid=2000(shell)");
    }

    @Test
    void rootListsTheDeviceTreeNotTheHosts() throws Exception {
        List<String> names = shell("ls /").stdout().lines().toList();
        assertThat(names).contains("data", "system", "vendor");
        try (Stream<Path> host = Files.list(Path.of("/"))) {
            List<String> hostOnly = host.map(p -> p.getFileName().toString()).filter(n -> !DEVICE_TOP.contains(n))
                    .toList();
            assertThat(hostOnly).isNotEmpty();
            assertThat(names).doesNotContainAnyElementsOf(hostOnly);
        }
    }

    @Test
    void etcPasswdIsNotTheHosts() throws Exception {
        String device = shell("cat /etc/passwd").stdout();
        List<String> hostLines = Files.readAllLines(Path.of("/etc/passwd"));
        assertThat(device.lines()).doesNotContainAnyElementsOf(hostLines);
        if (Files.isReadable(Path.of("/etc/hostname"))) {
            String hostname = Files.readString(Path.of("/etc/hostname")).strip();
            HostAdb.Result cat = adb.run(60, "-s", device().serial(), "exec-out", "cat /etc/hostname");
            assertThat(cat.stdout().strip()).isNotEqualTo(hostname);
        }
    }

    private DeviceEmulator device() {
        return device;
    }

    @Test
    void homeAndEnvironmentHoldNoHostPath() throws Exception {
        assertThat(shell("echo $HOME").stdout()).isEqualTo("/\n");
        String env = shell("env; set").stdout();
        assertThat(env).isNotBlank().doesNotContain(ToolEnvironment.SANDBOX)
                .doesNotContain(device.sandbox().toString()).doesNotContain(System.getProperty("java.home"));
        for (String entry : ToolEnvironment.currentClasspath().split(File.pathSeparator)) {
            assertThat(env).doesNotContain(entry);
        }
    }

    @Test
    void writesOutsideTheTreeDoNotReachTheHost() throws Exception {
        String name = "fastvlm-seal-" + UUID.randomUUID();
        shell("touch /tmp/" + name + "; mkdir -p /tmp; touch /tmp/" + name + "; touch /" + name + "; echo x > /"
                + name + ".txt; cd /data/../../..; touch " + name + "; touch ../../" + outside + "/" + name);
        assertThat(Path.of("/tmp", name)).doesNotExist();
        assertThat(Path.of("/", name)).doesNotExist();
        assertThat(Path.of("/", name + ".txt")).doesNotExist();
        assertThat(outside.resolve(name)).doesNotExist();
        assertThat(device.sandbox().resolve(name)).doesNotExist();
    }

    @Test
    void linksToHostFilesAreNeitherMadeNorFollowed(@TempDir Path local) throws Exception {
        Path secret = Files.writeString(outside.resolve("secret.txt"), "host secret " + UUID.randomUUID());
        Path dir = Files.createDirectories(device.hostPath("/data/local/tmp/links"));
        // what the device itself tries
        shell("cd /data/local/tmp/links && ln /etc/passwd hard-etc; ln " + secret + " hard-secret; ln -s " + secret
                + " soft; ln -s " + outside + " dirlink; cat soft dirlink/secret.txt hard-secret");
        // and links a host user (or an earlier escape) left in the tree: a hard link and symbolic ones
        Files.createLink(dir.resolve("planted-hard"), secret);
        Files.createSymbolicLink(dir.resolve("planted-soft"), secret);
        Files.createSymbolicLink(dir.resolve("planted-dir"), outside);
        String secretText = Files.readString(secret);
        for (String name : new String[] {"hard-etc", "hard-secret", "soft", "dirlink/secret.txt", "planted-hard",
                "planted-soft", "planted-dir/secret.txt"}) {
            Path back = local.resolve(name.replace('/', '-'));
            // adb refuses some (a link's target is not read) and the device refuses the rest
            adb.run(60, "-s", device.serial(), "pull", "/data/local/tmp/links/" + name, back.toString());
            if (Files.exists(back)) {
                assertThat(Files.readString(back)).as(name).doesNotContain(secretText)
                        .doesNotContain("root:x:0:0:root:/root");
            }
            if (!name.equals("planted-hard")) {
                // (a hard link the host planted is the host's file inside the tree; the device could never make one)
                HostAdb.Result cat = shell("cat /data/local/tmp/links/" + name);
                assertThat(cat.stdout()).as(name).doesNotContain(secretText);
            }
        }
        Path payload = Files.writeString(local.resolve("payload.txt"), "pushed");
        for (String name : new String[] {"planted-soft", "planted-hard", "planted-dir/pushed.txt", "dirlink/pushed.txt",
                "soft"}) {
            adb.run(60, "-s", device.serial(), "push", payload.toString(), "/data/local/tmp/links/" + name);
        }
        shell("echo overwritten > /data/local/tmp/links/planted-soft; echo overwritten > /data/local/tmp/links/planted-dir/x");
        assertThat(secret).hasContent(secretText);
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret.txt");
        }
    }

    /**
     * A directory link flipped between a folder of the device and one of the host, as fast as a host
     * thread (and, where the device can make links, a device shell loop) can, while pushes and pulls
     * go through it: none may read or write the host folder.
     */
    @Test
    void syncThroughAFlippingLinkNeverReachesTheHost(@TempDir Path local) throws Exception {
        String secretText = "host secret " + UUID.randomUUID();
        Files.writeString(outside.resolve("secret.txt"), secretText);
        Path race = Files.createDirectories(device.hostPath("/data/local/tmp/race"));
        Path real = Files.createDirectories(race.resolve("real"));
        Files.writeString(real.resolve("secret.txt"), "device file");
        Path flip = race.resolve("flip");
        Files.createSymbolicLink(flip, real);
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger flips = new AtomicInteger();
        Thread flipper = new Thread(() -> {
            Path next = race.resolve("flip.next");
            while (running.get()) {
                try {
                    Files.deleteIfExists(next);
                    Files.createSymbolicLink(next, flips.incrementAndGet() % 2 == 0 ? real : outside);
                    Files.move(next, flip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (Exception e) {
                    // the device may have replaced it meanwhile; keep flipping
                }
            }
        }, "link-flipper");
        flipper.start();
        Process deviceFlipper = null;
        if (confinement() == Confinement.NAMESPACES) {
            deviceFlipper = new ProcessBuilder(adb.executable(), "-P", Integer.toString(adb.serverPort()), "-s",
                    device.serial(), "shell", "cd /data/local/tmp/race; i=0; while [ $i -lt 20000 ]; do ln -sfn " + outside
                    + " flip; ln -sfn real flip; i=$((i+1)); done").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        Path payload = Files.writeString(local.resolve("payload.txt"), "pushed through the race");
        int attempts = 0;
        int pulledDeviceFile = 0;
        List<String> problems = new ArrayList<>();
        long end = System.nanoTime() + 30_000_000_000L;
        try (TestAdbClient client = TestAdbClient.connect(device.port(), adb.publicKey().resolveSibling("adbkey"))) {
            while (attempts < 200 && System.nanoTime() < end) {
                attempts++;
                Path back = local.resolve("back-" + attempts);
                try {
                    client.pull("/data/local/tmp/race/flip/secret.txt", back);
                    String got = Files.readString(back, StandardCharsets.UTF_8);
                    if (got.contains(secretText)) {
                        problems.add("pull " + attempts + " read the host file");
                    } else {
                        pulledDeviceFile++;
                    }
                } catch (Exception refused) {
                    // refused while the link was there: what a sealed device does
                }
                try {
                    client.push(payload, "/data/local/tmp/race/flip/pushed-" + attempts, 0644);
                } catch (Exception refused) {
                    // likewise
                }
            }
        } finally {
            running.set(false);
            flipper.join();
            if (deviceFlipper != null) {
                deviceFlipper.destroyForcibly().waitFor();
            }
        }
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret.txt");
        }
        assertThat(Files.readString(outside.resolve("secret.txt"))).isEqualTo(secretText);
        assertThat(problems).isEmpty();
        assertThat(attempts).isGreaterThanOrEqualTo(20);
        assertThat(flips.get()).isGreaterThan(attempts);
        assertThat(Files.isSymbolicLink(flip) || Files.exists(flip, LinkOption.NOFOLLOW_LINKS)).isTrue();
        // the race is real only if some pulls were refused while the link pointed out and none got through
        assertThat(pulledDeviceFile).isLessThan(attempts);
    }
}

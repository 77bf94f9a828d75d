package dev.fastvlm.e2e;

import dev.fastvlm.DecoderEngine;
import dev.fastvlm.FastVlm;
import dev.fastvlm.ImageInput;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The threads of the library (see "Threads" in {@link FastVlm}'s documentation): every thread it
 * starts while requests run, through an ADB connection or locally with Genie in this process, is
 * named {@code fastvlm-...} and daemon, and none is left once {@link FastVlm#close()} returns.
 */
class LibraryThreadsTest {

    /**
     * Threads that are not the library's: the emulated phone's, the test's, and the JVM-wide ones of
     * the JDK (the common pool, the process reaper) and of JNA (its Cleaner).
     */
    private static final List<String> NOT_THE_LIBRARYS = List.of("adbd-", "faulty-link", "fastvlm-emulat",
            "test-", "process reaper", "ForkJoinPool.commonPool-worker-", "Attach Listener", "Common-Cleaner",
            "JNA Cleaner");

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bundle;
    static Path image;
    static Path bin;
    private Set<Thread> before;
    private final Map<Thread, String> seen = new ConcurrentHashMap<>();
    private volatile boolean sampling;
    private Thread sampler;

    @BeforeAll
    static void files() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        StandInGenie.install(sdk, Files.createDirectories(dir.resolve("genie-build")));
        bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        image = noisyRedBlue(dir.resolve("red-blue.png"));
        bin = LocalDescribeEndToEndTest.fakeAndroidCommands(dir.resolve("bin"));
    }

    /**
     * Red on the left, blue on the right, 2400 x 1800 with noise that keeps the PNG large: decoded
     * on a thread of its own while it is resized, for long enough that the sampler sees that thread.
     */
    private static Path noisyRedBlue(Path file) throws IOException {
        BufferedImage img = new BufferedImage(2400, 1800, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(23);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                int noise = random.nextInt(24);
                img.setRGB(x, y, x < img.getWidth() / 2 ? (230 + noise) << 16 | noise << 8 | noise
                        : noise << 16 | noise << 8 | (230 + noise));
            }
        }
        ImageIO.write(img, "png", file.toFile());
        return file;
    }

    /** Records every thread that appears while the test runs, every millisecond. */
    @BeforeEach
    void startSampling() {
        before = Thread.getAllStackTraces().keySet();
        sampling = true;
        sampler = new Thread(() -> {
            while (sampling) {
                for (Thread thread : Thread.getAllStackTraces().keySet()) {
                    if (!before.contains(thread) && thread != Thread.currentThread()) {
                        seen.putIfAbsent(thread, thread.getName());
                    }
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "test-thread-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    @AfterEach
    void stopSampling() throws InterruptedException {
        sampling = false;
        sampler.join();
    }

    @Test
    void throughAdbEveryThreadIsNamedDaemonAndEndsWithClose() throws Exception {
        try (DeviceEmulator emulator = DeviceEmulator.start(
                EmulatorOptions.builder().authorizedKeys(dir.resolve("adbkey.pub")).build())) {
            try (FastVlm vlm = FastVlm.builder().device(AdbTransport.direct("127.0.0.1", emulator.port(), dir.resolve("adbkey")))
                    .models(bundle).runtime(QairtRuntime.of(sdk)).build()) {
                assertThat(vlm.describe(image, "What is in the image?").text()).contains("red on the left");
                assertThat(vlm.describeAsync(ImageInput.of(image), "And now?", null).get(1, TimeUnit.MINUTES).text())
                        .contains("red on the left");
            }
            assertLibraryThreadsWereNamedDaemonAndAreGone("fastvlm-describe-", "fastvlm-image-decode-",
                    "fastvlm-adb ", "fastvlm-adb-reader ", "fastvlm-adb-connect ", "fastvlm-sync-lease ",
                    "fastvlm-cleanup");
        }
    }

    @Test
    void locallyWithGenieInThisProcessEveryThreadIsNamedDaemonAndEndsWithClose() throws Exception {
        try (FastVlm vlm = FastVlm.builder().device(LocalDescribeEndToEndTest.localDevice(bin)).models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory(dir.resolve("device").toString())
                        .build())
                .decoderEngine(DecoderEngine.IN_PROCESS).build()) {
            assertThat(vlm.describe(image, "What is in the image?").text()).contains("red on the left");
        }
        assertLibraryThreadsWereNamedDaemonAndAreGone("fastvlm-image-decode-", "fastvlm-local-",
                "fastvlm-genie-watchdog-", "fastvlm-sync-lease ");
    }

    private void assertLibraryThreadsWereNamedDaemonAndAreGone(String... expectedKinds) throws InterruptedException {
        Map<Thread, String> library = seen.entrySet().stream()
                .filter(e -> NOT_THE_LIBRARYS.stream().noneMatch(e.getValue()::startsWith))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertThat(library.values()).as("the library's threads are named fastvlm-...")
                .allSatisfy(name -> assertThat(name).startsWith("fastvlm-"));
        assertThat(library.keySet()).as("the library's threads are daemon threads").allMatch(Thread::isDaemon);
        for (String kind : expectedKinds) {
            assertThat(library.values()).as("a %s thread ran (the sampler saw it)", kind)
                    .anyMatch(name -> name.startsWith(kind));
        }
        // A thread told to stop by close() may still be unwinding its last step for a moment.
        long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (library.keySet().stream().anyMatch(Thread::isAlive) && System.nanoTime() < until) {
            Thread.sleep(10);
        }
        assertThat(library.entrySet().stream().filter(e -> e.getKey().isAlive()).map(Map.Entry::getValue))
                .as("the library's threads alive after close()").isEmpty();
    }
}

package dev.fastvlm.e2e;

import dev.fastvlm.FastVlm;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.ImageInput;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.FaultyLink;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.model.EmulatedBundle.VisionPrecision;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * describe() under link faults and a killed sync: each request ends within its requestTimeout
 * plus the documented 10% margin (a cancel within a second), and the next request works at once.
 */
class DescribeFaultTest {

    private static final String DEVICE_DIR = QairtRuntime.DEFAULT_DEVICE_DIRECTORY;
    private static final Duration LIMIT = Duration.ofSeconds(5);
    private static final long WITH_MARGIN_MILLIS = 5500;

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bundle;
    static Path image;
    private DeviceEmulator device;
    private FaultyLink link;

    @BeforeAll
    static void files() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        bundle = EmulatedBundle.write(dir.resolve("int8"), 56, VisionPrecision.INT8);
        image = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
    }

    @BeforeEach
    void start() throws IOException {
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(dir.resolve("adbkey.pub")).build());
        link = FaultyLink.to(device.port());
    }

    @AfterEach
    void stop() throws IOException {
        link.close();
        device.close();
    }

    /**
     * An instance over the faulty link with the short limit, after another has synced the models
     * (the first sync takes longer than the limit on a loaded machine).
     */
    private FastVlm vlm() {
        try (FastVlm syncing = FastVlm.builder().device(AdbTransport.direct("127.0.0.1", device.port(), dir.resolve("adbkey")))
                .models(bundle).runtime(QairtRuntime.of(sdk)).build()) {
            syncing.describe(image, "Sync.");
        }
        return FastVlm.builder().device(AdbTransport.direct("127.0.0.1", link.port(), dir.resolve("adbkey"))).models(bundle)
                .runtime(QairtRuntime.of(sdk)).requestTimeout(LIMIT).build();
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private void assertTimesOutWithinItsLimitAndMargin(FastVlm vlm, dev.fastvlm.TokenListener listener) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> vlm.describe(ImageInput.of(image), "What is in the image?", listener))
                .isInstanceOf(FastVlmTimeoutException.class)
                .hasMessageContaining("describe did not finish within 5000 ms");
        assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 100, WITH_MARGIN_MILLIS);
    }

    private void assertTheNextRequestWorksAtOnceAndNothingIsLeft(FastVlm vlm) throws InterruptedException {
        link.throttleDevice(0);
        long start = System.nanoTime();
        assertThat(vlm.describe(image, "And now?").text()).contains("red on the left and blue on the right");
        assertThat(millisSince(start)).as("the next request, at once").isLessThan(LIMIT.toMillis());
        long settle = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!requestDirs().isEmpty() && System.nanoTime() < settle) {
            Thread.sleep(50);
        }
        assertThat(requestDirs()).as("no request directory left on the device").isEmpty();
    }

    private List<Path> requestDirs() {
        Path requests = device.hostPath(DEVICE_DIR + "/requests");
        if (!Files.isDirectory(requests)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(requests)) {
            return entries.toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aLinkThatGoesSilentMidPush() throws InterruptedException {
        try (FastVlm vlm = vlm()) {
            link.silenceAtNextPush();
            assertTimesOutWithinItsLimitAndMargin(vlm, dev.fastvlm.TokenListener.NONE);
            assertThat(link.awaitSilence(Duration.ZERO)).as("the request's push went silent").isTrue();
            assertTheNextRequestWorksAtOnceAndNothingIsLeft(vlm);
        }
    }

    @Test
    void aLinkThatGoesSilentMidStream() throws InterruptedException {
        try (FastVlm vlm = vlm()) {
            AtomicBoolean armed = new AtomicBoolean();
            assertTimesOutWithinItsLimitAndMargin(vlm, piece -> {
                if (armed.compareAndSet(false, true)) {
                    link.silenceAfterDeviceSends(0);
                }
            });
            assertThat(armed).as("the answer had started streaming").isTrue();
            assertTheNextRequestWorksAtOnceAndNothingIsLeft(vlm);
        }
    }

    @Test
    void a300BytesPerSecondLink() throws InterruptedException {
        try (FastVlm vlm = vlm()) {
            link.throttleDevice(300);
            assertTimesOutWithinItsLimitAndMargin(vlm, dev.fastvlm.TokenListener.NONE);
            assertTheNextRequestWorksAtOnceAndNothingIsLeft(vlm);
        }
    }

    @Test
    void aCancelDuringAPushOnASilentLinkEndsTheRequestWithinASecond() throws Exception {
        try (FastVlm vlm = vlm()) {
            link.silenceAtNextPush();
            Future<?> running = vlm.describeAsync(ImageInput.of(image), "What is in the image?", null);
            // Cancelled only once it waits on the silent link: a cancel before would leave the fault
            // armed for the next request.
            assertThat(link.awaitSilence(LIMIT)).as("the request's push went silent").isTrue();
            Thread.sleep(200);
            long start = System.nanoTime();
            assertThat(running.cancel(true)).isTrue();
            assertThatThrownBy(running::get).isInstanceOf(CancellationException.class);
            while (describing() && millisSince(start) < 2000) {
                Thread.sleep(10);
            }
            assertThat(millisSince(start)).as("the cancelled request's thread is free").isLessThan(1000);
            assertTheNextRequestWorksAtOnceAndNothingIsLeft(vlm);
        }
    }

    /** Whether any thread is still inside a describe. */
    private static boolean describing() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey() != Thread.currentThread())
                .anyMatch(e -> Arrays.stream(e.getValue()).anyMatch(f -> f.getMethodName().equals("describeInTime")));
    }

    @Test
    void aHangingHostToolEndsBuildWithinItsLimitAndLeavesNoFolder() throws IOException {
        // An SDK whose qnn-context-binary-utility hangs (its child holding the output open), for a
        // bundle whose vision encoder lacks the info JSON the tool would write.
        Path hangingSdk = EmulatedSdk.write(dir.resolve("hanging-sdk"));
        Path tool = hangingSdk.resolve("bin/x86_64-linux-clang/qnn-context-binary-utility");
        Files.writeString(tool, "#!/bin/sh\necho working\nsleep 60 & sleep 60\n");
        Path withoutInfo = EmulatedBundle.write(dir.resolve("without-info"), 56, VisionPrecision.INT8);
        Files.delete(withoutInfo.resolve(EmulatedBundle.VISION_ENCODER_INT8.replace(".bin", ".json")));
        Set<Path> foldersBefore = contextInfoFolders();

        AdbTransport transport = AdbTransport.direct("127.0.0.1", device.port());
        long start = System.nanoTime();
        assertThatThrownBy(() -> FastVlm.builder().device(transport).models(withoutInfo)
                .runtime(QairtRuntime.of(hangingSdk)).requestTimeout(LIMIT).build())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("qnn-context-binary-utility did not finish within");
        assertThat(millisSince(start)).as("build() with a hanging host tool").isBetween(LIMIT.toMillis() - 100,
                WITH_MARGIN_MILLIS);
        assertThat(contextInfoFolders()).as("fastvlm-context-info-* folders left").isSubsetOf(foldersBefore);
        assertThatThrownBy(() -> transport.run(DeviceCommand.of("true"), OutputListener.NONE))
                .as("the failed build() closed the transport it was given").isInstanceOf(IllegalStateException.class);

        // The next build, with a tool that works, works at once.
        try (FastVlm vlm = FastVlm.builder().device(AdbTransport.direct("127.0.0.1", device.port())).models(withoutInfo)
                .runtime(QairtRuntime.of(sdk)).requestTimeout(Duration.ofSeconds(30)).build()) {
            assertThat(vlm.describe(image, "What is in the image?").text()).contains("red on the left");
        }
        assertThat(contextInfoFolders()).isSubsetOf(foldersBefore);
    }

    private static Set<Path> contextInfoFolders() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("fastvlm-context-info-")
                    && Files.isDirectory(p)).collect(Collectors.toSet());
        }
    }

    @Test
    void aKilledSyncsLockAndPartialFilesAndAStaleRequestDirectoryAreCleanedUpAtOnce() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path deviceDir = device.hostPath(DEVICE_DIR);
        Path lock = Files.createDirectories(deviceDir.resolve(ArtifactSync.LOCK_NAME));
        String host = InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        Files.writeString(lock.resolve("owner"), "killed " + host + " " + dead.pid() + " "
                + (System.currentTimeMillis() / 1000 + 3600) + "\n");
        Files.writeString(deviceDir.resolve(".sync-42.tmp"), "half a decoder");
        Path stale = Files.createDirectories(deviceDir.resolve("requests/req-left-by-a-dead-process"));
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(3600)));
        Path live = Files.createDirectories(deviceDir.resolve("requests/req-of-a-live-request"));

        try (FastVlm vlm = FastVlm.builder().device(AdbTransport.direct("127.0.0.1", device.port(), dir.resolve("adbkey"))).models(bundle)
                .runtime(QairtRuntime.of(sdk)).requestTimeout(Duration.ofSeconds(20)).build()) {
            // Without healing, the sync would wait for the dead sync's lock past the 20 s limit.
            assertThat(vlm.describe(image, "What is in the image?").text()).contains("red on the left");
        }
        assertThat(lock).doesNotExist();
        assertThat(deviceDir.resolve(".sync-42.tmp")).doesNotExist();
        assertThat(stale).doesNotExist();
        assertThat(live).as("a directory as young as a live request stays").exists();
    }

    @Test
    void aSyncWhoseJvmIsKilledMidwayLeavesALockTheNextRequestBreaksAtOnce() throws Exception {
        // The child's link to the device is slowed (each OKAY of the push comes late), so its sync
        // is still running, holding the lock, when it is killed.
        link.throttleDevice(2_000);
        Path deviceDir = device.hostPath(DEVICE_DIR);
        Path lock = deviceDir.resolve(ArtifactSync.LOCK_NAME);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                SyncingChild.class.getName(), Integer.toString(link.port()), dir.resolve("adbkey").toString(),
                bundle.toString(), sdk.toString(), image.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("syncing-child.log").toFile()).start();
        try {
            long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.isDirectory(lock) && child.isAlive() && System.nanoTime() < giveUp) {
                Thread.sleep(5);
            }
            assertThat(lock).as("the child's sync took the lock (its log: %s)", dir.resolve("syncing-child.log"))
                    .isDirectory();
            Thread.sleep(300);   // well into the push
        } finally {
            child.destroyForcibly().waitFor();
        }
        assertThat(lock).as("the killed sync left its lock").isDirectory();

        try (FastVlm vlm = FastVlm.builder().device(AdbTransport.direct("127.0.0.1", device.port(), dir.resolve("adbkey")))
                .models(bundle).runtime(QairtRuntime.of(sdk)).requestTimeout(Duration.ofSeconds(20)).build()) {
            long start = System.nanoTime();
            // Without healing, this request would wait for the dead owner's lease, then past its limit.
            assertThat(vlm.describe(image, "What is in the image?").text()).contains("red on the left");
            assertThat(millisSince(start)).as("the next request, at once").isLessThan(20_000);
        }
        assertThat(lock).doesNotExist();
        try (Stream<Path> files = Files.walk(deviceDir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .as("no partial file of the killed sync is left")
                    .noneMatch(name -> name.startsWith(".sync-") || name.endsWith(".part"));
        }
    }
}

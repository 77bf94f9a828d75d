package dev.fastvlm.core.device;

import dev.fastvlm.DeviceException;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The sync lock heals: a dead owner's or an expired lease's lock is broken at once, a live one is waited for. */
// Locks held by try-with-resources for a block that only checks what others see meanwhile.
@SuppressWarnings("try")
class SyncLockTest {

    @TempDir
    Path root;
    private final LocalTransport device = LocalTransport.create();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream stderr;
    private Path dir;
    private Path lock;
    private List<ArtifactSync.Artifact> bundle;

    @BeforeEach
    void setUp() throws IOException {
        stderr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
        dir = root.resolve("device");
        lock = dir.resolve(ArtifactSync.LOCK_NAME);
        Path model = Files.write(root.resolve("model.bin"), new byte[200_000]);
        bundle = List.of(ArtifactSync.Artifact.of(model));
    }

    @AfterEach
    void tearDown() {
        System.setErr(stderr);
        device.close();
    }

    /** A sync's leftovers as a process killed in the middle of it leaves them. */
    private void leftOverLock(String ownerLine) throws IOException {
        Files.createDirectories(lock);
        Files.writeString(lock.resolve(SyncLock.OWNER_FILE), ownerLine + "\n");
        Files.writeString(dir.resolve(".sync-123.tmp"), "half a model");
        Files.createDirectories(dir.resolve("lib"));
        Files.writeString(dir.resolve("lib/.fastvlm-0f.part"), "half a library");
    }

    private static String host() throws IOException {
        return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static long deviceNow() {
        return System.currentTimeMillis() / 1000;
    }

    private ArtifactSync sync() {
        return ArtifactSync.to(device, dir.toString()).lockTimeout(Duration.ofSeconds(3));
    }

    @Test
    void aLockWhoseOwnerProcessIsGoneIsBrokenAtOnceWithItsPartialFiles() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        leftOverLock("killed-sync " + host() + " " + dead.pid() + " " + (deviceNow() + 3600));

        long start = System.nanoTime();
        ArtifactSync.Report report = sync().sync(bundle, TransferListener.NONE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(report.pushed()).containsExactly("model.bin");
        assertThat(lock).doesNotExist();
        assertThat(dir.resolve(".sync-123.tmp")).doesNotExist();
        assertThat(dir.resolve("lib/.fastvlm-0f.part")).doesNotExist();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("WARN").contains("breaking the sync lock " + lock)
                .contains("process " + dead.pid() + " of this host, is gone");
    }

    @Test
    void aLockWhoseLeaseEndedIsBrokenEvenFromAnotherHost() throws IOException {
        leftOverLock("other-sync some-other-host 1 " + (deviceNow() - 5));
        long start = System.nanoTime();
        sync().sync(bundle, TransferListener.NONE);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(lock).doesNotExist();
        assertThat(dir.resolve(".sync-123.tmp")).doesNotExist();
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("its lease ended");
    }

    @Test
    void aLiveOwnersLockIsWaitedForAndNamedWhenTheWaitEnds() throws IOException {
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        leftOverLock("live-sync " + host() + " " + live + " " + (deviceNow() + 3600));
        assertThatThrownBy(() -> ArtifactSync.to(device, dir.toString()).lockTimeout(Duration.ofMillis(600))
                .sync(bundle, TransferListener.NONE))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("another process has been syncing")
                .hasMessageContaining("owner live-sync");
        assertThat(lock).exists();
        assertThat(dir.resolve(".sync-123.tmp")).exists();
    }

    @Test
    void anIntactBundleNeedsNoLockButAChangedOneWaitsForIt() throws IOException {
        assertThat(sync().sync(bundle, TransferListener.NONE).pushed()).containsExactly("model.bin");
        long live = ProcessHandle.current().parent().orElseThrow().pid();
        leftOverLock("live-sync " + host() + " " + live + " " + (deviceNow() + 3600));

        ArtifactSync.Report report = ArtifactSync.to(device, dir.toString()).lockTimeout(Duration.ofMillis(600))
                .sync(bundle, TransferListener.NONE);
        assertThat(report.skipped()).containsExactly("model.bin");
        assertThat(report.pushed()).isEmpty();
        assertThat(lock).as("the live owner's lock is left alone").exists();

        Files.setLastModifiedTime(dir.resolve("model.bin"), java.nio.file.attribute.FileTime.fromMillis(0));
        assertThatThrownBy(() -> ArtifactSync.to(device, dir.toString()).lockTimeout(Duration.ofMillis(600))
                .sync(bundle, TransferListener.NONE))
                .as("a device file whose time changed is checked under the lock")
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("another process has been syncing");
    }

    @Test
    void aLiveHolderRenewsItsLeaseSoItIsNotBrokenWhileItSyncs() throws Exception {
        try (SyncLock held = SyncLock.acquire(device, dir.toString(), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMinutes(10))) {
            // Three lease lengths: without renewal the lease would have ended twice over.
            Thread.sleep(3000);
            assertThatThrownBy(() -> SyncLock.acquire(device, dir.toString(), Duration.ofSeconds(1),
                    Duration.ofMillis(500), Duration.ofMinutes(10)))
                    .isInstanceOf(DeviceException.class)
                    .hasMessageContaining("another process");
        }
        assertThat(lock).doesNotExist();
        // The same process's lock of a sync that is over is left over too.
        try (SyncLock first = SyncLock.acquire(device, dir.toString(), Duration.ofSeconds(60), Duration.ofSeconds(1),
                Duration.ofMinutes(10))) {
            String owner = Files.readString(lock.resolve(SyncLock.OWNER_FILE));
            assertThat(owner).contains(" " + ProcessHandle.current().pid() + " ");
            Files.writeString(lock.resolve(SyncLock.OWNER_FILE), owner.replaceFirst("^\\S+", "ended-sync"));
            long start = System.nanoTime();
            SyncLock.acquire(device, dir.toString(), Duration.ofSeconds(60), Duration.ofSeconds(3),
                    Duration.ofMinutes(10)).close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        }
        assertThat(log.toString(StandardCharsets.UTF_8)).contains("its sync in this process is over");
    }
}

package dev.fastvlm.adb;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.DeviceException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.HostAdb;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Artifact sync against the emulator, reached through Debian's adb server. */
class ArtifactSyncTest {

    @TempDir
    static Path home;
    static DeviceEmulator device;
    static HostAdb server;
    static AdbTransport adb;

    @TempDir
    Path host;

    @BeforeAll
    static void start() throws IOException {
        server = HostAdb.start(home);
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(server.publicKey()).build());
        server.connect(device.serial());
        adb = connect();
    }

    @AfterAll
    static void stop() throws IOException {
        adb.close();
        server.close();
        device.close();
    }

    static AdbTransport connect() {
        return AdbTransport.builder().adbServer("127.0.0.1", server.serverPort()).serial(device.serial()).build();
    }

    @Test
    void theSecondRunPushesZeroBytesAndAMissingManifestIsRebuiltFromDeviceHashes() throws IOException {
        String dir = freshDir();
        List<ArtifactSync.Artifact> bundle = bundle();
        long total = totalSize(bundle);

        List<long[]> progress = new ArrayList<>();
        ArtifactSync.Report first = ArtifactSync.to(adb, dir).sync(bundle, (done, all) -> progress.add(new long[] {done, all}));
        assertThat(first.pushed()).containsExactly("vision encoder.bin", "lib/libGenie.so", "LUT.bin");
        assertThat(first.bytesPushed()).isEqualTo(total);
        assertThat(progress.get(progress.size() - 1)).containsExactly(total, total);
        for (ArtifactSync.Artifact a : bundle) {
            assertThat(device.hostPath(dir + "/" + a.name())).hasSameBinaryContentAs(a.hostFile());
        }
        assertThat(device.hostPath(dir + "/" + ArtifactSync.MANIFEST_NAME)).isRegularFile();

        ArtifactSync.Report second = ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE);
        assertThat(second.bytesPushed()).isZero();
        assertThat(second.pushed()).isEmpty();
        assertThat(second.skipped()).hasSize(3);
        assertThat(second.verifiedOnDevice()).as("the manifest is trusted while files are unchanged").isEmpty();

        Files.delete(device.hostPath(dir + "/" + ArtifactSync.MANIFEST_NAME));
        ArtifactSync.Report third = ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE);
        assertThat(third.bytesPushed()).isZero();
        assertThat(third.verifiedOnDevice()).containsExactlyInAnyOrder("vision encoder.bin", "lib/libGenie.so", "LUT.bin");
        assertThat(ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE).verifiedOnDevice())
                .as("the rebuilt manifest is trusted again").isEmpty();
        assertThat(device.hostPath(dir + "/" + ArtifactSync.LOCK_NAME)).doesNotExist();
    }

    @Test
    void changedFilesAreFoundAndOnlyThoseArePushed() throws IOException {
        String dir = freshDir();
        List<ArtifactSync.Artifact> bundle = bundle();
        ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE);

        // Same size, other bytes, behind the manifest's back (mtime moves on): caught by sha256sum.
        Path lut = device.hostPath(dir + "/LUT.bin");
        byte[] corrupted = Files.readAllBytes(lut);
        corrupted[corrupted.length / 2] ^= 1;
        Files.write(lut, corrupted);
        Files.setLastModifiedTime(lut, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        // Truncated on the device.
        Path lib = device.hostPath(dir + "/lib/libGenie.so");
        Files.write(lib, new byte[10]);
        // Changed on the host.
        Files.writeString(bundle.get(0).hostFile(), "a new vision encoder", StandardCharsets.UTF_8);

        ArtifactSync.Report report = ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE);
        assertThat(report.pushed()).containsExactlyInAnyOrder("vision encoder.bin", "lib/libGenie.so", "LUT.bin");
        assertThat(report.bytesPushed()).isEqualTo(totalSize(bundle));
        for (ArtifactSync.Artifact a : bundle) {
            assertThat(device.hostPath(dir + "/" + a.name())).hasSameBinaryContentAs(a.hostFile());
        }
        ArtifactSync.Report again = ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE);
        assertThat(again.bytesPushed()).isZero();
    }

    @Test
    void twoProcessesSyncingOneDeviceAtOnceDoNotCorruptIt() throws Exception {
        String dir = freshDir();
        List<ArtifactSync.Artifact> bundle = bundle();
        try (AdbTransport other = connect()) {
            CompletableFuture<ArtifactSync.Report> a = CompletableFuture.supplyAsync(
                    () -> ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE));
            CompletableFuture<ArtifactSync.Report> b = CompletableFuture.supplyAsync(
                    () -> ArtifactSync.to(other, dir).sync(bundle, TransferListener.NONE));
            long pushed = a.get().bytesPushed() + b.get().bytesPushed();
            assertThat(pushed).as("the lock lets one push and the other find everything in place")
                    .isEqualTo(totalSize(bundle));
        }
        for (ArtifactSync.Artifact a : bundle) {
            assertThat(device.hostPath(dir + "/" + a.name())).hasSameBinaryContentAs(a.hostFile());
        }
        assertThat(ArtifactSync.to(adb, dir).sync(bundle, TransferListener.NONE).verifiedOnDevice()).isEmpty();
        try (var files = Files.walk(device.hostPath(dir))) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
        }
    }

    @Test
    void aHeldLockMakesTheOtherWaitThenFailClearlyAndAStaleLockIsBroken() throws IOException {
        String dir = freshDir();
        Path lock = device.hostPath(dir + "/" + ArtifactSync.LOCK_NAME);
        Files.createDirectories(lock);
        Files.writeString(lock.resolve("since"), Long.toString(System.currentTimeMillis() / 1000) + "\n");
        List<ArtifactSync.Artifact> bundle = bundle();
        assertThatThrownBy(() -> ArtifactSync.to(adb, dir).lockTimeout(Duration.ofMillis(600)).sync(bundle, TransferListener.NONE))
                .isInstanceOf(DeviceException.class)
                .hasMessageContaining("another process")
                .hasMessageContaining(dir + "/" + ArtifactSync.LOCK_NAME);

        Files.writeString(lock.resolve("since"), Long.toString(System.currentTimeMillis() / 1000 - 3600) + "\n");
        ArtifactSync.Report report = ArtifactSync.to(adb, dir).lockTimeout(Duration.ofMillis(600))
                .sync(bundle, TransferListener.NONE);
        assertThat(report.pushed()).hasSize(3);
        assertThat(lock).doesNotExist();
    }

    @Test
    void aFullDeviceIsAClearErrorAndLeavesNoHalfFile() throws IOException {
        try (DeviceEmulator small = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(server.publicKey())
                .faults(new dev.fastvlm.emulator.EmulatorFaults(0, 0, 100_000, java.util.Map.of(), java.util.Set.of()))
                .build())) {
            server.connect(small.serial());
            try (AdbTransport tiny = AdbTransport.builder().adbServer("127.0.0.1", server.serverPort())
                    .serial(small.serial()).build()) {
                Path big = TestSupport.randomFile(host.resolve("big.bin"), 300_000);
                assertThatThrownBy(() -> ArtifactSync.to(tiny, "/data/local/tmp/full")
                        .sync(List.of(ArtifactSync.Artifact.of(big)), TransferListener.NONE))
                        .isInstanceOf(DeviceException.class)
                        .hasMessageContaining("/data/local/tmp/full/big.bin")
                        .hasMessageContaining("No space left");
                assertThat(small.hostPath("/data/local/tmp/full/big.bin")).doesNotExist();
            } finally {
                server.run(30, "disconnect", small.serial());
            }
        }
    }

    private static String freshDir() {
        return "/data/local/tmp/sync-" + UUID.randomUUID();
    }

    private List<ArtifactSync.Artifact> bundle() throws IOException {
        Files.createDirectories(host.resolve("bundle"));
        return List.of(
                new ArtifactSync.Artifact(TestSupport.randomFile(host.resolve("bundle/vision.bin"), 300_000),
                        "vision encoder.bin"),
                new ArtifactSync.Artifact(TestSupport.randomFile(host.resolve("bundle/libGenie.so"), 70_001),
                        "lib/libGenie.so"),
                ArtifactSync.Artifact.of(TestSupport.randomFile(host.resolve("bundle/LUT.bin"), 1_000_000)));
    }

    private static long totalSize(List<ArtifactSync.Artifact> bundle) throws IOException {
        long total = 0;
        for (ArtifactSync.Artifact a : bundle) {
            total += Files.size(a.hostFile());
        }
        return total;
    }
}

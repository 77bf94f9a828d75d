package dev.fastvlm.core.device;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The parts of artifact sync and device housekeeping that need no device. */
class DeviceHousekeepingTest {

    @Test
    void dfAvailableColumnIsReadInBytes() {
        String toybox = "Filesystem     1K-blocks     Used Available Use% Mounted on\n"
                + "/dev/block/dm-48 231186680 90123456 141063224  39% /data\n";
        assertThat(ArtifactSync.availableBytes(toybox)).isEqualTo(141063224L * 1024);
        assertThat(ArtifactSync.availableBytes("df: /x: No such file")).isEqualTo(-1);
    }

    @Test
    void freeSpaceCheckGivesTheNumbers() {
        assertThat(ArtifactSync.spaceProblem(700_000_000L, 500_000_000L))
                .contains("700.0 MB to push (plus 16 MB margin), 500.0 MB free");
        assertThat(ArtifactSync.spaceProblem(700_000_000L, 700_000_000L + ArtifactSync.SPACE_MARGIN_BYTES)).isEmpty();
        assertThat(ArtifactSync.spaceProblem(700_000_000L, -1)).as("df unreadable: the push itself will tell").isEmpty();
    }

    @Test
    void statLinesAreMatchedToTheirFilesByName() {
        List<ArtifactSync.Artifact> files = List.of(new ArtifactSync.Artifact(Path.of("a"), "model dir/x y.bin"),
                new ArtifactSync.Artifact(Path.of("b"), "-rf"), new ArtifactSync.Artifact(Path.of("c"), "missing.bin"),
                new ArtifactSync.Artifact(Path.of("d"), "lib/libGenie.so"));
        List<long[]> stats = ArtifactSync.parseStats(files,
                "12 1700000001 ./lib/libGenie.so\n7 1700000000 ./model dir/x y.bin\n3 5 ./-rf\nstat: bad\n");
        assertThat(stats.get(0)).containsExactly(7, 1700000000);
        assertThat(stats.get(1)).containsExactly(3, 5);
        assertThat(stats.get(2)).as("a missing file prints no line").isNull();
        assertThat(stats.get(3)).containsExactly(12, 1700000001);
    }

    @Test
    void manifestRoundTripsAndToleratesDamage() {
        SyncManifest manifest = SyncManifest.empty();
        String sha = "ab".repeat(32);
        manifest.put("model dir/it's $(x).bin", new SyncManifest.Entry(sha, 42, 1700000000));
        SyncManifest back = SyncManifest.parse(new String(manifest.toBytes(), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(back.entries()).isEqualTo(manifest.entries());
        assertThat(SyncManifest.parse("some other format\n" + sha + "\t1\t2\tx\n").entries()).isEmpty();
        assertThat(SyncManifest.parse("fastvlm-manifest 1\nbad line\n" + sha + "\tNaN\t2\ty\n" + sha + "\t1\t2\tz\n")
                .entries()).containsOnlyKeys("z");
    }

    @Test
    void artifactNamesCannotEscapeTheSyncDirectory() {
        Path file = Path.of("LUT.bin");
        assertThat(ArtifactSync.Artifact.of(file).name()).isEqualTo("LUT.bin");
        assertThat(new ArtifactSync.Artifact(file, "lib/hexagon-v79/libQnnHtpV79Skel.so").name()).contains("/");
        for (String bad : new String[] {"/abs", "../up", "a/../b", "a//b", "dir/", "new\nline", "tab\tname", ""}) {
            assertThatThrownBy(() -> new ArtifactSync.Artifact(file, bad))
                    .as(bad).isInstanceOf(InvalidConfigurationException.class);
        }
    }

    @Test
    void devicePathsMustBeAbsoluteFiles() {
        DeviceScripts.checkDevicePath("/data/local/tmp/a b");
        for (String bad : new String[] {"relative", "/dir/", "/nul\0"}) {
            assertThatThrownBy(() -> DeviceScripts.checkDevicePath(bad)).isInstanceOf(InvalidConfigurationException.class);
        }
    }
}

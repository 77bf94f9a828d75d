package dev.fastvlm.bench;

import dev.fastvlm.core.device.ArtifactSync;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** The benchmark times the real thing only if each operation checks every file and pushes none. */
class SyncBenchmarkTest {

    @ParameterizedTest
    @ValueSource(strings = {"emulator", "local"})
    @Timeout(120)
    void eachOperationFindsEveryFileOnTheDeviceAndPushesNothing(String device) throws IOException, InterruptedException {
        SyncBenchmark benchmark = new SyncBenchmark();
        benchmark.width = 56;
        benchmark.device = device;
        benchmark.start();
        try {
            ArtifactSync.Report report = benchmark.syncWithNothingToPush();
            assertThat(report.pushed()).isEmpty();
            assertThat(report.skipped()).hasSize(benchmark.files()).hasSizeGreaterThan(7);
        } finally {
            benchmark.stop();
        }
    }
}

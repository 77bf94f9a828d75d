package dev.fastvlm.bench;

import dev.fastvlm.Description;
import dev.fastvlm.Stage;
import dev.fastvlm.StageTiming;
import dev.fastvlm.Stats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class StageLogTest {

    @TempDir
    Path dir;

    @Test
    void writesOneRowPerStageAndByteCountInRequestOrder() throws IOException {
        StageLog log = new StageLog("png-1024", 56);
        log.record("setup", "bundle-bytes", 45_472_585L);
        Stats stats = new Stats(300, 12, Duration.ofMillis(190), 40.0, Duration.ofMillis(450),
                List.of(new StageTiming(Stage.PREPROCESS, Duration.ofNanos(83_000_000)),
                        new StageTiming(Stage.DECODER, Duration.ofNanos(2_600_000_123L))),
                0, 3_209_990, 15_601);
        String request = log.nextRequest();
        log.record(request, "wall", 2_900_000_000L);
        log.record(request, new Description("a red and blue picture", stats));

        Path file = log.writeTo(dir.resolve("out"));

        assertThat(file.getFileName().toString()).isEqualTo("describe-png-1024-w56.csv");
        assertThat(Files.readAllLines(file)).containsExactly(
                "image,width,request,key,value",
                "png-1024,56,setup,bundle-bytes,45472585",
                "png-1024,56,1,wall,2900000000",
                "png-1024,56,1,preprocess,83000000",
                "png-1024,56,1,decoder,2600000123",
                "png-1024,56,1,model-bytes-pushed,0",
                "png-1024,56,1,request-bytes-pushed,3209990",
                "png-1024,56,1,bytes-pulled,15601");
        assertThat(log.nextRequest()).isEqualTo("2");
        try (var files = Files.list(dir.resolve("out"))) {
            assertThat(files).containsExactly(file);
        }
    }
}

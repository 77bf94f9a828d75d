package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DescribeCommandTest extends CliTest {

    private static final String SAMPLE = "samples/red-and-blue.png";

    @Test
    void withoutDeviceOrModelsItRunsOnTheEmulatorAndSaysSoFirst() {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "What is in the image?")).isZero();
        String[] lines = out.toString().split("\\R");
        assertThat(lines[0]).startsWith("Running on the built-in emulated Snapdragon");
        assertThat(lines[1]).isEqualTo("Emulated FastVLM answer: the image is red on the left and blue on the right."
                + " The image came before the text. You asked: \"What is in the image?\"");
        assertThat(out.toString()).contains("prompt tokens").containsPattern("stages: .*preprocess \\d+ ms");
    }

    @Test
    void jsonCarriesTextStatsStagesAndBytes() throws Exception {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "Colours?", "--json", "--layout", "placeholder",
                "--max-new-tokens", "64")).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("text").asText()).contains("red on the left").contains("inside the text");
        assertThat(json.get("emulated").asBoolean()).isTrue();
        assertThat(json.at("/stats/promptTokens").asInt()).isGreaterThan(256);
        assertThat(json.at("/stats/generatedTokens").asInt()).isBetween(1, 64);
        assertThat(json.at("/stats/timeToFirstTokenMs").asDouble()).isPositive();
        assertThat(json.at("/stats/tokensPerSecond").asDouble()).isPositive();
        assertThat(json.at("/stats/initTimeMs").isNumber()).isTrue();
        assertThat(json.get("stages").findValuesAsText("name")).contains("preprocess", "vision-encoder", "decoder");
        assertThat(json.at("/bytes/modelPushed").asLong()).isPositive();
        assertThat(json.at("/bytes/requestPushed").asLong()).isPositive();
        assertThat(json.at("/bytes/pulled").asLong()).isPositive();
        assertThat(err.toString()).contains("built-in emulated Snapdragon");
    }

    @Test
    void aRealDeviceNeedsTheSdk(@TempDir Path models) {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--model-dir", models.toString())).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("fastvlm describe: --sdk: is required for a real device (or use --emulator)");
    }

    @Test
    void deviceAndEmulatorExcludeEachOther() {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--device", "abc", "--emulator")).isEqualTo(1);
        assertThat(err.toString().strip())
                .isEqualTo("fastvlm describe: --device: give either --device or --emulator, not both");
    }

    @Test
    void aMissingImageIsOneLine() {
        assertThat(run("describe", "--image", "nope.png", "--prompt", "x", "--emulator")).isEqualTo(1);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("fastvlm describe: ").contains("nope.png");
    }
}

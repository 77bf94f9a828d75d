package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.DecoderBackend;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.ResizePolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

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
    void aPhoneNeedsTheModelsAndTheSdkAndIsToldBothAtOnce() {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--device", "R5CT1234")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly(
                "fastvlm describe: a phone needs --model-dir DIR (the FastVLM model bundle) and --sdk DIR (the QAIRT"
                        + " SDK); or use --emulator",
                "Run 'fastvlm describe --help' for the options.");
    }

    @Test
    void aRealDeviceNeedsTheSdk(@TempDir Path models) {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--model-dir", models.toString())).isEqualTo(2);
        assertThat(err.toString().lines().findFirst()).contains(
                "fastvlm describe: a phone needs --sdk DIR (the QAIRT SDK); or use --emulator");
    }

    @Test
    void deviceAndEmulatorExcludeEachOther() {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--device", "abc", "--emulator")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly(
                "fastvlm describe: give either --device or --emulator, not both",
                "Run 'fastvlm describe --help' for the options.");
    }

    /** The command as picocli fills it from {@code args}, without running it. */
    private static DescribeCommand parsed(String... args) {
        CommandLine cli = FastVlmCli.commandLine();
        cli.parseArgs(args);
        return cli.getSubcommands().get("describe").getCommand();
    }

    @Test
    void samplingFlagsBecomeTheGenerationOptions() {
        DescribeCommand.Settings settings = parsed("describe", "--image", SAMPLE, "--prompt", "x", "--temperature",
                "0.3", "--top-k", "7", "--top-p", "0.5", "--seed", "1234", "--greedy", "--max-new-tokens", "33",
                "--system", "Answer in French.", "--backend", "htp", "--resize", "center-crop", "--layout",
                "placeholder").settings();
        assertThat(settings.generation()).isEqualTo(GenerationOptions.builder().temperature(0.3).topK(7).topP(0.5)
                .seed(1234).greedy(true).maxNewTokens(33).build());
        assertThat(settings.system()).contains("Answer in French.");
        assertThat(settings.backend()).isEqualTo(DecoderBackend.HTP);
        assertThat(settings.resize()).isEqualTo(ResizePolicy.CENTER_CROP);
        assertThat(settings.layout()).isEqualTo(ImageLayout.PLACEHOLDER);
        assertThat(parsed("describe", "--image", SAMPLE, "--prompt", "x", "--resize", "pad").settings().resize())
                .isEqualTo(ResizePolicy.PAD_TO_SQUARE);
    }

    @Test
    void withoutFlagsTheSettingsAreTheLibrarysDefaults() {
        DescribeCommand.Settings settings = parsed("describe", "--image", SAMPLE, "--prompt", "x").settings();
        assertThat(settings.generation()).isEqualTo(GenerationOptions.defaults());
        assertThat(settings.system()).isEmpty();
        assertThat(settings.backend()).isEqualTo(DecoderBackend.CPU);
        assertThat(settings.resize()).isEqualTo(ResizePolicy.STRETCH);
        assertThat(settings.layout()).isEqualTo(ImageLayout.PREPEND);
    }

    @Test
    void aBadSamplingValueIsAUsageErrorNamedByItsFlag() {
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--top-p", "1.5")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("fastvlm describe: --top-p: must be in (0, 1], was 1.5",
                "Run 'fastvlm describe --help' for the options.");
        err.getBuffer().setLength(0);
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--temperature", "-1")).isEqualTo(2);
        assertThat(err.toString()).startsWith("fastvlm describe: --temperature: must be a finite number >= 0");
        err.getBuffer().setLength(0);
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--backend", "gpu")).isEqualTo(2);
        assertThat(err.toString()).contains("--backend").contains("expected cpu or htp, was 'gpu'")
                .doesNotContain("Usage:");
        err.getBuffer().setLength(0);
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "x", "--resize", "fit")).isEqualTo(2);
        assertThat(err.toString()).contains("expected stretch, pad or center-crop, was 'fit'");
    }

    @Test
    void aSystemPromptTheNpuBackendAndPaddingRunOnTheEmulator() throws Exception {
        String system = "You describe pictures for a museum catalogue, in one careful and complete sentence.";
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "Colours?", "--json")).isZero();
        int defaultPromptTokens = new ObjectMapper().readTree(out.toString()).at("/stats/promptTokens").asInt();
        out.getBuffer().setLength(0);
        assertThat(run("describe", "--image", SAMPLE, "--prompt", "Colours?", "--json", "--system", system,
                "--backend", "htp", "--resize", "pad", "--greedy", "--seed", "7")).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.toString());
        assertThat(json.get("text").asText()).contains("You asked: \"Colours?\"");
        assertThat(json.at("/stats/promptTokens").asInt()).as("the longer system turn is in the prompt")
                .isGreaterThan(defaultPromptTokens + 8);
    }

    @Test
    void aMissingImageIsOneLine() {
        assertThat(run("describe", "--image", "nope.png", "--prompt", "x", "--emulator")).isEqualTo(1);
        assertThat(err.toString().strip().lines()).hasSize(1);
        assertThat(err.toString()).startsWith("fastvlm describe: ").contains("nope.png");
    }
}

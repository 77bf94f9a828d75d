package dev.fastvlm.genie.config;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.InvalidInputException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FastVlmGenieConfigsTest {
    private static DecoderGeometry fastVlm;

    @BeforeAll
    static void readGeometry(@TempDir Path dir) throws IOException {
        Path config = Files.writeString(dir.resolve("config.json"), Fixtures.text("fastvlm-0.5b-config.json"));
        fastVlm = DecoderGeometry.fromHuggingFaceConfig(config);
    }

    private static FastVlmGenieConfigs.Builder cpu() {
        return FastVlmGenieConfigs.builder(fastVlm, DecoderBackend.CPU).contextSize(512)
                .tokenizerPath("tokenizer.json").modelFiles(List.of("fastvlm_model_z8.bin"));
    }

    @Test
    void reproducesTheSeedConfig() {
        GenieConfig config = FastVlmGenieConfigs.builder(
                        fastVlm.withTokens(Qwen2Tokens.IM_START, List.of(Qwen2Tokens.IM_END), Qwen2Tokens.ENDOFTEXT),
                        DecoderBackend.CPU)
                .contextSize(512).tokenizerPath("tokenizer.json").modelFiles(List.of("fastvlm_model_z8.bin"))
                .generation(GenerationOptions.builder().stopSequences(List.of()).build())
                .writeMaxNumTokens(false)
                .promptTokens(300)
                .build();
        assertThat(config.toJson()).isEqualTo(Fixtures.text("seed-cpu-dialog.json"));
    }

    @Test
    void maxNumTokensIsTheRoomLeftCappedByTheOptions() {
        GenieConfig roomy = cpu().promptTokens(100).build();
        assertThat(roomy.maxNumTokens()).isEqualTo(128);
        assertThat(roomy.stopSequence()).containsExactly("<|im_end|>");
        assertThat(roomy.context().bosToken()).isEqualTo(151643);

        GenieConfig tight = cpu().promptTokens(450).build();
        assertThat(tight.maxNumTokens()).isEqualTo(62);

        GenieConfig longer = cpu().generation(GenerationOptions.builder().maxNewTokens(1000).build())
                .promptTokens(256 + 20).build();
        assertThat(longer.maxNumTokens()).isEqualTo(512 - 276);
    }

    @Test
    void promptLeavingTooLittleRoomIsRejectedWithTheNumbers() {
        GenerationOptions options = GenerationOptions.builder().minNewTokens(16).build();
        assertThatThrownBy(() -> cpu().generation(options).promptTokens(500).build())
                .isInstanceOf(InvalidInputException.class)
                .hasMessage("the prompt takes 500 of the context's 512 tokens, leaving room for 12 new tokens;"
                        + " at least 16 (generation.minNewTokens) are required");
        assertThatThrownBy(() -> cpu().promptTokens(600).build())
                .hasMessage("the prompt takes 600 of the context's 512 tokens, leaving room for 0 new tokens;"
                        + " at least 1 (generation.minNewTokens) are required");
    }

    @Test
    void samplerFollowsTheGenerationOptions() {
        GenerationOptions options = GenerationOptions.builder().temperature(0).topK(1).topP(1).seed(7).greedy(true)
                .stopSequences(List.of("</s>", "<|im_end|>")).build();
        GenieConfig config = cpu().generation(options).promptTokens(10).build();
        assertThat(config.sampler()).isEqualTo(new SamplerConfig(7L, 0.0, 1, 1.0, true, null, null));
        assertThat(config.stopSequence()).containsExactly("</s>", "<|im_end|>");
    }

    @Test
    void htpDecoderUsesContextBinariesRopeAndTheExtensions() {
        GenieConfig config = FastVlmGenieConfigs.builder(fastVlm, DecoderBackend.HTP).contextSize(512)
                .tokenizerPath("/data/local/tmp/fastvlm/tokenizer.json")
                .modelFiles(List.of("/data/local/tmp/fastvlm/decoder_1_of_2.bin",
                        "/data/local/tmp/fastvlm/decoder_2_of_2.bin"))
                .extensionsPath("/data/local/tmp/fastvlm/htp_backend_ext_config.json")
                .lutPath("/data/local/tmp/fastvlm/LUT.bin")
                .embeddingDatatype(EmbeddingDatatype.NATIVE)
                .promptTokens(280)
                .build();

        assertThat(config.engine().nThreads()).isEqualTo(3);
        BackendConfig backend = config.engine().backend();
        assertThat(backend.type()).isEqualTo(BackendType.QNN_HTP);
        assertThat(backend.extensions()).isEqualTo("/data/local/tmp/fastvlm/htp_backend_ext_config.json");
        assertThat(backend.qnnHtp()).isEqualTo(QnnHtpConfig.builder().kvDim(64).allowAsyncInit(false).build());
        assertThat(backend.qnnHtp().cpuMask()).isEqualTo("0xe0");
        assertThat(config.engine().model().ctxBins()).hasSize(2);
        assertThat(config.engine().model().positionalEncoding()).isEqualTo(PositionalEncoding.rope(64, 1e6));
        assertThat(config.embedding()).isEqualTo(new EmbeddingConfig(896, "lut", "/data/local/tmp/fastvlm/LUT.bin",
                EmbeddingDatatype.NATIVE, null));
        assertThat(config.maxNumTokens()).isEqualTo(128);
        assertThat(config.warnings()).as("the project's own configs need no advice").isEmpty();
        assertThat(GenieConfig.parse(config.toJson())).isEqualTo(config);
    }

    @Test
    void badRequestsAreNamed() {
        assertThatThrownBy(() -> cpu().contextSize(65536).promptTokens(10).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("genie.contextSize: must be in [1, 32768] (the model's max_position_embeddings), was 65536");
        assertThatThrownBy(() -> cpu().modelFiles(List.of("a.bin", "b.bin")).promptTokens(10).build())
                .hasMessage("genie.modelFiles: the CPU decoder loads exactly one model library, got 2 files:"
                        + " [a.bin, b.bin]");
        assertThatThrownBy(() -> cpu().build()).hasMessage("genie.promptTokens: is required");
        assertThatThrownBy(() -> cpu().extensionsPath("x.json").promptTokens(10).build())
                .hasMessage("genie.backend: HTP settings (extensions, QnnHtp block) do not apply to the CPU decoder");
        assertThatThrownBy(() -> FastVlmGenieConfigs.builder(fastVlm, DecoderBackend.HTP).contextSize(512)
                .tokenizerPath("t.json").modelFiles(List.of()).promptTokens(10).build())
                .hasMessage("genie.modelFiles: the HTP decoder needs at least one context binary");
    }
}

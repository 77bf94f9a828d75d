package dev.fastvlm.genie.config;

import dev.fastvlm.InvalidConfigurationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.fastvlm.genie.config.Fixtures.text;
import static dev.fastvlm.genie.config.Fixtures.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenieConfigTest {

    @Test
    void seedConfigParsesIntoTypedBlocksAndIsWrittenBackByteForByte() {
        String json = text("seed-cpu-dialog.json");
        GenieConfig config = GenieConfig.parse(json);

        assertThat(config.type()).isEqualTo("basic");
        assertThat(config.maxNumTokens()).isNull();
        assertThat(config.stopSequence()).isNull();
        assertThat(config.embedding()).isEqualTo(new EmbeddingConfig(896, null, null, EmbeddingDatatype.FLOAT32,
                null));
        assertThat(config.context()).isEqualTo(new ContextConfig(512, 151936, 151644, List.of(151645), null,
                151643, null));
        assertThat(config.sampler()).isEqualTo(new SamplerConfig(42L, 0.8, 40, 0.95, false, null, null));
        assertThat(config.tokenizerPath()).isEqualTo("tokenizer.json");
        assertThat(config.engine().nThreads()).isEqualTo(6);
        assertThat(config.engine().backend().type()).isEqualTo(BackendType.QNN_GEN_AI_TRANSFORMER);
        assertThat(config.engine().backend().qnnGenAiTransformer()).isEqualTo(QnnGenAiTransformerConfig.forEmbeddings(
                24, 896, 14, 2));
        assertThat(config.engine().model()).isEqualTo(ModelConfig.library("fastvlm_model_z8.bin"));

        assertThat(config.toJson()).isEqualTo(json);
    }

    @Test
    void multiPartHtpConfigRoundTripsWithoutLosingFields() {
        String json = text("qwen-htp-six-parts.json");
        GenieConfig config = GenieConfig.parse(json);

        QnnHtpConfig htp = config.engine().backend().qnnHtp();
        assertThat(htp).isEqualTo(QnnHtpConfig.builder().useMmap(true).spillFillBufsize(0).mmapBudget(0).poll(false)
                .posIdDim(64).cpuMask("0xe0").kvDim(128).ropeTheta(1_000_000.0).allowAsyncInit(false).build());
        assertThat(config.engine().backend().extensions()).isEqualTo("htp_backend_ext_config.json");
        assertThat(config.engine().model().ctxBins()).hasSize(6).last().isEqualTo("models/qwen/weights_6_of_6.bin");
        assertThat(config.context().eotToken()).isEqualTo(151643);
        assertThat(config.sampler().greedy()).isNull();

        assertThat(tree(config.toJson())).isEqualTo(tree(json));
        assertThat(GenieConfig.parse(config.toJson()).toJson()).isEqualTo(config.toJson());
    }

    @Test
    void fastVlmLutConfigRoundTripsWithPenaltiesEosListAndPositionalEncoding() {
        String json = text("fastvlm-htp-lut.json");
        GenieConfig config = GenieConfig.parse(json);

        assertThat(config.maxNumTokens()).isEqualTo(128);
        assertThat(config.stopSequence()).containsExactly("<|im_end|>");
        assertThat(config.embedding()).isEqualTo(new EmbeddingConfig(896, "lut",
                "/data/local/tmp/fastvlm-java/LUT_fp16.bin", EmbeddingDatatype.NATIVE, null));
        assertThat(config.context().eosTokens()).containsExactly(151645, 151643);
        assertThat(config.sampler().tokenPenalty()).isEqualTo(new TokenPenalty(64, 1.1, 0.25, 0.05));
        assertThat(config.engine().backend().qnnHtp().kvUpdateMethod()).isEqualTo("pointer-shift");
        assertThat(config.engine().model().positionalEncoding()).isEqualTo(PositionalEncoding.rope(64, 1e6));

        assertThat(tree(config.toJson())).isEqualTo(tree(json));
    }

    @Test
    void ropeScalingLoraAndRarerHtpKeysSurviveTheRoundTripAndEdits() {
        String json = text("rope-scaled-htp.json");
        GenieConfig config = GenieConfig.parse(json);
        assertThat(config.engine().model().positionalEncoding().ropeScaling().get("rope-type").asText())
                .isEqualTo("longrope");
        assertThat(config.engine().backend().qnnHtp().sharedEngine()).isTrue();
        assertThat(config.engine().backend().qnnHtp().dataAlignmentSize()).isEqualTo(64);
        assertThat(config.engine().backend().extensions()).isNull();
        assertThat(config.engine().backend().qnnHtp().graphSwitchingLoraPolicy()).isEqualTo("lazy");
        assertThat(config.engine().model().lora().get("adapters").get(0).get("name").asText()).isEqualTo("captions");
        assertThat(tree(config.toJson())).isEqualTo(tree(json));

        GenieConfig moved = config.toBuilder().ctxBins(List.of("/data/local/tmp/a.bin")).build();
        assertThat(moved.engine().model().lora()).isEqualTo(config.engine().model().lora());
        assertThat(moved.engine().model().positionalEncoding()).isEqualTo(config.engine().model().positionalEncoding());
    }

    @Test
    void editingRepointsFilesAndKeepsEverythingElse() {
        GenieConfig original = GenieConfig.parse(text("fastvlm-htp-lut.json"));
        GenieConfig edited = original.toBuilder()
                .tokenizerPath("/data/local/tmp/run-7/tokenizer.json")
                .lutPath("/data/local/tmp/run-7/LUT.bin")
                .ctxBins(List.of("/data/local/tmp/run-7/decoder.bin"))
                .extensions("/data/local/tmp/run-7/htp.json")
                .maxNumTokens(64)
                .build();

        assertThat(edited.tokenizerPath()).isEqualTo("/data/local/tmp/run-7/tokenizer.json");
        assertThat(edited.embedding().lutPath()).isEqualTo("/data/local/tmp/run-7/LUT.bin");
        assertThat(edited.embedding().datatype()).isEqualTo(EmbeddingDatatype.NATIVE);
        assertThat(edited.engine().model().ctxBins()).containsExactly("/data/local/tmp/run-7/decoder.bin");
        assertThat(edited.engine().model().positionalEncoding()).isEqualTo(PositionalEncoding.rope(64, 1e6));
        assertThat(edited.engine().backend().extensions()).isEqualTo("/data/local/tmp/run-7/htp.json");
        assertThat(edited.engine().backend().qnnHtp()).isEqualTo(original.engine().backend().qnnHtp());
        assertThat(edited.sampler()).isEqualTo(original.sampler());
        assertThat(edited.context()).isEqualTo(original.context());
        assertThat(edited.maxNumTokens()).isEqualTo(64);

        GenieConfig library = GenieConfig.parse(text("seed-cpu-dialog.json")).toBuilder()
                .modelBin("/data/local/tmp/run-7/model.bin").build();
        assertThat(library.engine().model()).isEqualTo(ModelConfig.library("/data/local/tmp/run-7/model.bin"));
    }

    @Test
    void writeReplacesTheFileAtomicallyAndReadsBack(@TempDir Path dir) throws Exception {
        GenieConfig config = GenieConfig.parse(text("seed-cpu-dialog.json"));
        Path file = dir.resolve("genie_config.json");
        Files.writeString(file, "stale");
        config.write(file);
        assertThat(Files.readString(file)).isEqualTo(config.toJson());
        assertThat(GenieConfig.read(file)).isEqualTo(config);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void problemsInAFileNameTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("user.json"),
                Fixtures.with("qwen-htp-six-parts.json", "/dialog/engine/backend/QnnHtp/cpu-mask", "224"));
        assertThatThrownBy(() -> GenieConfig.read(file))
                .isInstanceOfSatisfying(GenieConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("dialog.engine.backend.QnnHtp.cpu-mask");
                    assertThat(e).hasMessage(file + ": dialog.engine.backend.QnnHtp.cpu-mask: Invalid QnnHtp config:"
                            + " cpu-mask is not a string (was 224)");
                });
        Path missing = dir.resolve("missing.json");
        assertThatThrownBy(() -> GenieConfig.read(missing))
                .hasMessageStartingWith(missing + ": cannot be read: java.nio.file.NoSuchFileException");
    }

    @Test
    void promptMustFitTheContext() {
        GenieConfig config = GenieConfig.parse(text("fastvlm-htp-lut.json"));
        config.checkPromptFits(384);
        assertThatThrownBy(() -> config.checkPromptFits(400))
                .isInstanceOf(GenieConfigException.class)
                .hasMessage("dialog.max-num-tokens: 128 new tokens do not fit after a prompt of 400 tokens in a"
                        + " context of 512 (room for 112)");
        assertThatThrownBy(() -> config.checkPromptFits(512))
                .hasMessage("dialog.context.size: 512 tokens leave no room to generate after a prompt of 512 tokens");
    }

    @Test
    void everyProblemIsReportedAtOnceWithItsPath() {
        String json = Fixtures.with("seed-cpu-dialog.json", "/dialog/sampler/top-p", "\"1.5\"")
                .replace("\"temp\":0.8", "\"temp\":\"hot\"").replace("\"n-heads\":14", "\"n-head\":14");
        assertThatThrownBy(() -> GenieConfig.parse(json))
                .isInstanceOfSatisfying(GenieConfigException.class, e -> {
                    assertThat(e).isInstanceOf(InvalidConfigurationException.class);
                    assertThat(e.field()).isEqualTo("dialog.sampler.temp");
                    assertThat(e.violations()).containsExactly(
                            "dialog.sampler.temp: Invalid sampler config: temp is not numeric (was \"hot\")",
                            "dialog.sampler.top-p: Invalid sampler config: top-p is not numeric (was \"1.5\")",
                            "dialog.engine.backend.QnnGenAiTransformer.n-head: Unknown QnnGenAiTransformer config key:"
                                    + " n-head");
                    assertThat(e.getMessage()).isEqualTo(String.join("; ", e.violations()));
                });
    }
}

package dev.fastvlm.cli;

import dev.fastvlm.genie.config.BackendType;
import dev.fastvlm.genie.config.EmbeddingDatatype;
import dev.fastvlm.genie.config.GenieConfig;
import dev.fastvlm.genie.config.ModelConfig;
import dev.fastvlm.genie.config.PositionalEncoding;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class GenieConfigCommandTest extends CliTest {
    /** The decoder part of FastVLM-0.5B's config.json. */
    private static final String FASTVLM_CONFIG = """
            {"model_type": "llava_qwen2", "hidden_size": 896, "num_hidden_layers": 24,
             "num_attention_heads": 14, "num_key_value_heads": 2, "vocab_size": 151936,
             "rope_theta": 1000000.0, "max_position_embeddings": 32768,
             "bos_token_id": 151643, "eos_token_id": 151645}
            """;

    @TempDir
    Path dir;
    private Path modelDir;

    @BeforeEach
    void modelDir() throws IOException {
        modelDir = Files.createDirectories(dir.resolve("FastVLM-0.5B"));
        Files.writeString(modelDir.resolve("config.json"), FASTVLM_CONFIG);
    }

    @Test
    void writesTheSeedsCpuConfigFromTheModelsMetadata() {
        Path file = dir.resolve("out/genie_config.json");
        assertThat(run("genie-config", "--model-dir", modelDir.toString(), "--out", file.toString())).isZero();

        GenieConfig config = GenieConfig.read(file);
        assertThat(config.context().size()).isEqualTo(512);
        assertThat(config.context().nVocab()).isEqualTo(151936);
        assertThat(config.context().eosTokens()).containsExactly(151645);
        assertThat(config.embedding().size()).isEqualTo(896);
        assertThat(config.embedding().datatype()).isEqualTo(EmbeddingDatatype.FLOAT32);
        assertThat(config.embedding().lutPath()).isNull();
        assertThat(config.tokenizerPath()).isEqualTo("tokenizer.json");
        assertThat(config.engine().backend().qnnGenAiTransformer().nLayer()).isEqualTo(24);
        assertThat(config.engine().backend().qnnGenAiTransformer().nHeads()).isEqualTo(14);
        assertThat(config.engine().backend().qnnGenAiTransformer().nKvHeads()).isEqualTo(2);
        assertThat(config.engine().model()).isEqualTo(ModelConfig.library("fastvlm_model_z8.bin"));
        assertThat(config.maxNumTokens()).isEqualTo(128);
        assertThat(config.stopSequence()).containsExactly("<|im_end|>");
        assertThat(err.toString()).isEqualTo("wrote " + file + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void htpConfigNamesContextBinaryLutAndExtensionsUnderTheDeviceDir() {
        assertThat(run("genie-config", "--model-dir", modelDir.toString(), "--backend", "htp", "--context", "1024",
                "--max-new-tokens", "300", "--prompt-tokens", "800", "--device-dir", "/data/local/tmp/fastvlm/"))
                .isZero();
        GenieConfig config = GenieConfig.parse(out.toString());
        assertThat(config.engine().backend().type()).isEqualTo(BackendType.QNN_HTP);
        assertThat(config.engine().backend().extensions())
                .isEqualTo("/data/local/tmp/fastvlm/htp_backend_ext_config.json");
        assertThat(config.engine().model().ctxBins()).containsExactly("/data/local/tmp/fastvlm/fastvlm_model_z8.bin");
        assertThat(config.engine().model().positionalEncoding()).isEqualTo(PositionalEncoding.rope(64, 1e6));
        assertThat(config.embedding().lutPath()).isEqualTo("/data/local/tmp/fastvlm/LUT.bin");
        assertThat(config.tokenizerPath()).isEqualTo("/data/local/tmp/fastvlm/tokenizer.json");
        assertThat(config.context().size()).isEqualTo(1024);
        assertThat(config.maxNumTokens()).isEqualTo(224);
    }

    @Test
    void missingMetadataIsOneLineNamingTheFile() throws IOException {
        Files.delete(modelDir.resolve("config.json"));
        Path file = dir.resolve("genie_config.json");
        assertThat(run("genie-config", "--model-dir", modelDir.toString(), "--out", file.toString())).isEqualTo(1);
        assertThat(err.toString()).startsWith("fastvlm genie-config: " + modelDir.resolve("config.json")
                + ": cannot be read: java.nio.file.NoSuchFileException");
        assertThat(err.toString().lines()).hasSize(1);
        assertThat(file).doesNotExist();
    }

    @Test
    void promptThatDoesNotFitIsRejected() {
        assertThat(run("genie-config", "--model-dir", modelDir.toString(), "--prompt-tokens", "512")).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("fastvlm genie-config: the prompt takes 512 of the context's 512 tokens,"
                + " leaving room for 0 new tokens; at least 1 (generation.minNewTokens) are required"
                + System.lineSeparator());
    }

    @Test
    void unknownBackendIsAUsageError() {
        assertThat(run("genie-config", "--model-dir", modelDir.toString(), "--backend", "gpu")).isEqualTo(2);
        assertThat(err.toString()).startsWith("fastvlm genie-config: --backend must be cpu or htp, was 'gpu'");
    }
}

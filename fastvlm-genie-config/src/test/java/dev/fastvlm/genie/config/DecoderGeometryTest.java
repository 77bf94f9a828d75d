package dev.fastvlm.genie.config;

import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.ModelArtifactException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecoderGeometryTest {
    @TempDir
    Path dir;

    private Path config(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }

    @Test
    void readsFastVlmDecoderFromItsHuggingFaceConfig() throws IOException {
        DecoderGeometry g = DecoderGeometry.fromHuggingFaceConfig(config(Fixtures.text("fastvlm-0.5b-config.json")));
        assertThat(g).isEqualTo(new DecoderGeometry(896, 151936, 24, 14, 2, 1_000_000.0, 32768, 151643,
                List.of(151645), Qwen2Tokens.ENDOFTEXT));
        assertThat(g.headDim()).isEqualTo(64);
    }

    @Test
    void readsTextConfigOfMultimodalConfigsAndDefaultsKvHeadsAndTokens() throws IOException {
        DecoderGeometry g = DecoderGeometry.fromHuggingFaceConfig(config("""
                {"model_type": "llava", "text_config": {"hidden_size": 64, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "vocab_size": 151936, "rope_theta": 10000,
                 "max_position_embeddings": 1024, "eos_token_id": [151645, 151643]}}"""));
        assertThat(g.nKvHeads()).isEqualTo(4);
        assertThat(g.eosTokens()).containsExactly(151645, 151643);
        assertThat(g.bosToken()).isEqualTo(Qwen2Tokens.IM_START);
        assertThat(g.padToken()).isEqualTo(Qwen2Tokens.ENDOFTEXT);
    }

    @Test
    void namesEveryMissingOrMalformedKey() throws IOException {
        Path file = config("{\"hidden_size\": 896, \"num_attention_heads\": \"14\", \"vocab_size\": 151936,"
                + " \"eos_token_id\": \"end\"}");
        assertThatThrownBy(() -> DecoderGeometry.fromHuggingFaceConfig(file))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage(file + ": cannot read the decoder geometry: missing num_hidden_layers, rope_theta,"
                        + " max_position_embeddings; not a number: num_attention_heads (was \"14\"),"
                        + " eos_token_id (was \"end\")");
    }

    @Test
    void rejectsInconsistentGeometryAndUnreadableFiles() throws IOException {
        Path file = config("{\"hidden_size\": 896, \"num_hidden_layers\": 24, \"num_attention_heads\": 14,"
                + " \"num_key_value_heads\": 4, \"vocab_size\": 151936, \"rope_theta\": 1e6,"
                + " \"max_position_embeddings\": 32768}");
        assertThatThrownBy(() -> DecoderGeometry.fromHuggingFaceConfig(file))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage(file + ": inconsistent decoder geometry: geometry.nHeads: must be a multiple of nKvHeads"
                        + " (4), was 14");
        Path broken = config("{\"hidden_size\": ");
        assertThatThrownBy(() -> DecoderGeometry.fromHuggingFaceConfig(broken))
                .hasMessageStartingWith(broken + ": is not valid JSON");
        Path absent = dir.resolve("nope.json");
        assertThatThrownBy(() -> DecoderGeometry.fromHuggingFaceConfig(absent))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageStartingWith(absent + ": cannot be read: java.nio.file.NoSuchFileException");
    }

    @Test
    void constructionChecksTokensAgainstTheVocabulary() {
        assertThatThrownBy(() -> new DecoderGeometry(896, 1000, 24, 14, 2, 1e6, 32768, 151644, List.of(1), 0))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("geometry.bosToken: must be a token of the vocabulary [0, 1000), was 151644");
        assertThatThrownBy(() -> new DecoderGeometry(900, 1000, 24, 14, 2, 1e6, 32768, 1, List.of(1), 0))
                .hasMessage("geometry.nEmbd: must be a multiple of nHeads (14), was 900");
    }
}

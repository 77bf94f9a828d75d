package dev.fastvlm.bundle;

import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.bundle.BundleManifest;
import dev.fastvlm.core.bundle.BundleVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static dev.fastvlm.bundle.Goldens.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CheckpointImportTest {

    @TempDir
    Path root;

    private Path checkpoint(String safetensors, int hidden, int layers, int heads, int kv, int vocab) throws IOException {
        Path dir = Files.createDirectories(root.resolve("checkpoint"));
        Path source = golden(safetensors);
        if (Files.isDirectory(source)) {
            try (Stream<Path> files = Files.list(source)) {
                for (Path f : files.toList()) {
                    Files.copy(f, dir.resolve(f.getFileName()));
                }
            }
        } else {
            Files.copy(source, dir.resolve("model.safetensors"));
        }
        Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlavaQwen2ForCausalLM\"],"
                + " \"model_type\": \"llava_qwen2\", \"hidden_size\": " + hidden + ", \"num_hidden_layers\": " + layers
                + ", \"num_attention_heads\": " + heads + ", \"num_key_value_heads\": " + kv + ", \"vocab_size\": "
                + vocab + ", \"rope_theta\": 1000000.0, \"max_position_embeddings\": 32768, \"bos_token_id\": 1,"
                + " \"eos_token_id\": 2, \"pad_token_id\": 0}");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"added_tokens\": [{\"id\": 36, \"content\": \"<|im_end|>\"}],"
                + " \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1, \"c\": 2}}}");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{\"chat_template\": \"{{ messages }}\"}");
        return dir;
    }

    @Test
    void writesTheHostFilesAndAManifestThatVerifies() throws IOException {
        Path checkpoint = checkpoint("single-bf16.safetensors", 24, 2, 4, 2, 37);
        Path out = root.resolve("bundle");
        BundleManifest manifest = CheckpointImport.builder().checkpoint(checkpoint).output(out)
                .allowUnlistedGeometry(true).build().run();
        EmbeddingTableWriterTest.assertRowsEqual(out.resolve("LUT.bin"), golden("single-bf16.lut.f32"));
        for (String name : CheckpointImport.COPIED) {
            assertThat(out.resolve(name)).hasSameBinaryContentAs(checkpoint.resolve(name));
        }
        assertThat(manifest.artifacts()).containsEntry(ModelArtifact.EMBEDDING_TABLE, "LUT.bin")
                .containsEntry(ModelArtifact.TOKENIZER, "tokenizer.json");
        assertThat(manifest.geometry()).isEqualTo(new BundleManifest.Geometry(24, 2, 4, 2, 37));
        assertThat(manifest.chip()).isEmpty();
        assertThat(BundleManifest.read(out)).isEqualTo(manifest);
        assertThat(BundleVerifier.hashing().problems(out)).isEmpty();
    }

    @Test
    void readsAShardedCheckpoint() throws IOException {
        Path checkpoint = checkpoint("sharded-bf16", 24, 2, 4, 2, 37);
        Path out = root.resolve("bundle");
        CheckpointImport.builder().checkpoint(checkpoint).output(out).allowUnlistedGeometry(true).build().run();
        EmbeddingTableWriterTest.assertRowsEqual(out.resolve("LUT.bin"), golden("sharded-bf16.lut.f32"));
        assertThat(BundleVerifier.hashing().problems(out)).isEmpty();
    }

    @Test
    void refusesAGeometryNoReleasedFastVlmHasUnlessAllowed() throws IOException {
        Path checkpoint = checkpoint("single-f16.safetensors", 24, 2, 4, 2, 37);
        assertThatThrownBy(() -> CheckpointImport.builder().checkpoint(checkpoint).output(root.resolve("b")).build().run())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("config.json: hidden_size 24, num_hidden_layers 2, num_attention_heads 4,"
                        + " num_key_value_heads 2, vocab_size 37 is no released FastVLM")
                .hasMessageContaining("FastVLM-0.5B (hidden_size 896, num_hidden_layers 24, num_attention_heads 14,"
                        + " num_key_value_heads 2, vocab_size 151936)")
                .hasMessageContaining("FastVLM-7B (hidden_size 3584");
        assertThat(root.resolve("b")).doesNotExist();
    }

    @Test
    void aReleasedGeometryPassesAndTheTableMustMatchIt() throws IOException {
        // FastVLM-0.5B's config over the small golden table: the geometry is accepted, the table's shape is not
        Path checkpoint = checkpoint("single-f32.safetensors", 896, 24, 14, 2, 151936);
        assertThatThrownBy(() -> CheckpointImport.builder().checkpoint(checkpoint).output(root.resolve("b")).build().run())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("model.embed_tokens.weight has shape [37, 24], config.json says"
                        + " [vocab_size, hidden_size] = [151936, 896]");
        assertThat(root.resolve("b/LUT.bin")).doesNotExist();
    }

    @Test
    void namesEveryMissingFile() throws IOException {
        Path checkpoint = checkpoint("single-f32.safetensors", 24, 2, 4, 2, 37);
        Files.delete(checkpoint.resolve("tokenizer.json"));
        Files.delete(checkpoint.resolve("tokenizer_config.json"));
        assertThatThrownBy(() -> CheckpointImport.builder().checkpoint(checkpoint).output(root.resolve("b")).build().run())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage(checkpoint + ": missing tokenizer.json, tokenizer_config.json");
    }

    @Test
    void aMalformedCheckpointIsRefusedNamingItsFile() throws IOException {
        Path checkpoint = checkpoint("single-f32.safetensors", 24, 2, 4, 2, 37);
        Files.copy(golden("malformed/offsets-gap.safetensors"), checkpoint.resolve("model.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> CheckpointImport.builder().checkpoint(checkpoint).output(root.resolve("b"))
                .allowUnlistedGeometry(true).build().run()).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("model.safetensors: not a valid safetensors file");
    }
}

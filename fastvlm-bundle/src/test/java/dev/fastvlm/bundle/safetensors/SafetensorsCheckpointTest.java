package dev.fastvlm.bundle.safetensors;

import dev.fastvlm.ModelArtifactException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import static dev.fastvlm.bundle.safetensors.SafetensorsFileTest.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafetensorsCheckpointTest {

    @TempDir
    Path dir;

    @Test
    void findsEachTensorInTheShardTheIndexNames() {
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(golden("sharded-bf16"))) {
            assertThat(checkpoint.files()).hasSize(2);
            TensorEntry embed = checkpoint.tensor("model.embed_tokens.weight").orElseThrow();
            assertThat(embed.file().getFileName()).hasToString("model-00002-of-00002.safetensors");
            assertThat(checkpoint.fileOf(embed).file()).isEqualTo(embed.file());
            assertThat(checkpoint.tensor("lm_head.weight").orElseThrow().file().getFileName())
                    .hasToString("model-00001-of-00002.safetensors");
            assertThat(checkpoint.tensor("no.such.tensor")).isEmpty();
        }
    }

    @Test
    void opensASingleFileCheckpoint() throws IOException {
        Files.copy(golden("single-f16.safetensors"), dir.resolve(SafetensorsCheckpoint.SINGLE));
        try (SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.open(dir)) {
            assertThat(checkpoint.tensor("model.norm.weight").orElseThrow().dtype()).isEqualTo(Dtype.F16);
        }
    }

    @Test
    void anEmptyFolderIsNotACheckpoint() {
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(ModelArtifactException.class)
                .hasMessage(dir + ": no model.safetensors and no model.safetensors.index.json: not a HuggingFace"
                        + " safetensors checkpoint");
    }

    @Test
    void aMissingShardIsNamed() throws IOException {
        copySharded();
        Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("names shard model-00002-of-00002.safetensors, which is not in " + dir);
    }

    @Test
    void anIndexThatDisagreesWithItsShardsListsEveryDisagreement() throws IOException {
        copySharded();
        Path index = dir.resolve(SafetensorsCheckpoint.INDEX);
        String text = Files.readString(index)
                .replace("\"model.norm.weight\": \"model-00002-of-00002.safetensors\"",
                        "\"model.norm.weight\": \"model-00001-of-00002.safetensors\"")
                .replaceAll("\"total_size\": [0-9]+", "\"total_size\": 12");
        Files.writeString(index, text);
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining(index + " does not match its shards")
                .hasMessageContaining("tensor model.norm.weight is not in model-00001-of-00002.safetensors, where the"
                        + " index puts it")
                .hasMessageContaining("tensor model.norm.weight of model-00002-of-00002.safetensors is put in"
                        + " model-00001-of-00002.safetensors by the index")
                .hasMessageContaining("metadata.total_size is 12, the shards' tensors hold");
    }

    @Test
    void anIndexMayNotReachOutsideTheFolder() throws IOException {
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX),
                "{\"weight_map\": {\"a\": \"../model.safetensors\"}}");
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("weight_map.a must name a file in the checkpoint folder, was \"../model.safetensors\"");
    }

    @Test
    void aMalformedShardIsNamedByItsFile() throws IOException {
        copySharded();
        Path shard = dir.resolve("model-00001-of-00002.safetensors");
        Files.copy(golden("malformed/trailing-bytes.safetensors"), shard, StandardCopyOption.REPLACE_EXISTING);
        assertThatThrownBy(() -> SafetensorsCheckpoint.open(dir)).isInstanceOf(ModelArtifactException.class)
                .hasMessageStartingWith(shard + ": not a valid safetensors file: ");
    }

    private void copySharded() throws IOException {
        try (Stream<Path> files = Files.list(golden("sharded-bf16"))) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
    }
}

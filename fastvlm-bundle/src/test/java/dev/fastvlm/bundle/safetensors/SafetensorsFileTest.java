package dev.fastvlm.bundle.safetensors;

import dev.fastvlm.ModelArtifactException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The reader against files written by an independent writer ({@code src/test/scripts/make_safetensors_goldens.py},
 * numpy for the values): what it accepts, and one file per check it must make.
 */
class SafetensorsFileTest {

    static Path golden(String name) {
        try {
            return Path.of(SafetensorsFileTest.class.getResource("/safetensors/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest
    @CsvSource({"single-f32.safetensors, F32, 4", "single-f16.safetensors, F16, 2", "single-bf16.safetensors, BF16, 2"})
    void readsEveryTensorOfAWellFormedFile(String name, Dtype dtype, int bytes) {
        try (SafetensorsFile file = SafetensorsFile.open(golden(name))) {
            assertThat(file.tensors().keySet()).containsExactly("lm_head.weight", "model.embed_tokens.weight",
                    "model.norm.weight", "model.layers.0.self_attn.q_proj.bias");
            TensorEntry embed = file.tensor("model.embed_tokens.weight").orElseThrow();
            assertThat(embed.dtype()).isEqualTo(dtype);
            assertThat(embed.shape()).containsExactly(37L, 24L);
            assertThat(embed.byteSize()).isEqualTo(37L * 24 * bytes);
            assertThat(file.metadata()).isEqualTo(Map.of("format", "pt"));
            TensorEntry bias = file.tensor("model.layers.0.self_attn.q_proj.bias").orElseThrow();
            ByteBuffer ints = file.map(bias, 0, (int) bias.byteSize());
            assertThat(List.of(ints.getLong(0), ints.getLong(8), ints.getLong(16))).containsExactly(1L, -2L, 3L);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "too-small|the file is 3 bytes, shorter than the 8-byte header length",
            "header-too-large|header length 100000001 is above the format's limit of 100000000 bytes",
            "header-beyond-file|header length 4096 runs past the end of the file",
            "header-not-utf8|the header is not valid UTF-8",
            "header-not-json|the header is not valid JSON",
            "header-not-object|the header does not start with '{' (it starts with '[')",
            "header-start|the header does not start with '{' (it starts with ' ')",
            "duplicate-name|tensor \"a\" appears twice in the header",
            "offsets-gap|tensor \"b\" starts at byte 8 of the buffer, expected 4 (a gap: tensors must be contiguous)",
            "offsets-overlap|tensor \"b\" starts at byte 8 of the buffer, expected 12 (it overlaps the tensor before)",
            "offsets-not-from-zero|tensor \"a\" starts at byte 4 of the buffer, expected 0",
            "size-mismatch|tensor \"a\": data_offsets [0, 16) hold 16 bytes, but F32 [5] needs 20",
            "end-beyond-file|the tensors end at byte 32 of the buffer, but the file holds 16 (the data runs past the end",
            "trailing-bytes|the tensors end at byte 16 of the buffer, but the file holds 24 (bytes after the last tensor)",
            "begin-after-end|tensor \"a\": data_offsets [16, 0) begin after they end",
            "unknown-dtype|tensor \"a\" has unknown dtype \"F128\"",
            "negative-shape|tensor \"a\": shape must hold non-negative integers, was [-4]",
            "offsets-wrong-length|tensor \"a\": data_offsets must be two numbers [begin, end), was [0,8,16]",
            "metadata-not-strings|__metadata__.format must be a string, was 1",
            "missing-dtype|tensor \"a\" has no dtype string"})
    void rejectsEachMalformedFileNamingFileAndProblem(String name, String problem) {
        Path file = golden("malformed/" + name + ".safetensors");
        assertThatThrownBy(() -> SafetensorsFile.open(file).close()).isInstanceOf(ModelArtifactException.class)
                .hasMessageStartingWith(file + ": not a valid safetensors file: ")
                .hasMessageContaining(problem);
    }

    @Test
    void everyMalformedGoldenIsCovered() throws Exception {
        Path dir = golden("malformed");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors"))
                    .collect(Collectors.toSet())).hasSize(20);
        }
        // the script's README lists exactly those cases
        assertThat(Files.readAllLines(dir.resolve("README.txt"))).hasSize(21);
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 38 * 24 * 4})
    void mapsOnlyInsideATensor(long offset) {
        try (SafetensorsFile file = SafetensorsFile.open(golden("single-f32.safetensors"))) {
            TensorEntry embed = file.tensor("model.embed_tokens.weight").orElseThrow();
            assertThatThrownBy(() -> file.map(embed, offset, 4)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("are not inside model.embed_tokens.weight (3552 bytes)");
        }
    }
}

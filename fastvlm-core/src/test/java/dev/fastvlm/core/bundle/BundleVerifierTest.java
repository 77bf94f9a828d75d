package dev.fastvlm.core.bundle;

import dev.fastvlm.ModelArtifact;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundleVerifierTest {
    private static final int VOCAB = 40;
    private static final int HIDDEN = 16;

    @TempDir
    Path bundle;

    @Test
    void aSoundBundlePasses() throws IOException {
        write(HIDDEN, VOCAB, 39);
        assertThat(BundleVerifier.hashing().problems(bundle)).isEmpty();
        BundleManifest manifest = BundleVerifier.hashing().verify(bundle);
        assertThat(manifest.chip()).contains("SM8750");
        assertThat(manifest.files()).extracting(BundleManifest.FileEntry::path)
                .containsExactlyInAnyOrder("LUT.bin", "tokenizer.json", "config.json", "vision.bin", "vision.json");
    }

    @Test
    void aChangedAndATruncatedFileAreBothNamed() throws IOException {
        write(HIDDEN, VOCAB, 39);
        byte[] config = Files.readAllBytes(bundle.resolve("config.json"));
        config[config.length - 2] = ' ';
        Files.write(bundle.resolve("config.json"), config);
        try (RandomAccessFile lut = new RandomAccessFile(bundle.resolve("LUT.bin").toFile(), "rw")) {
            lut.setLength(lut.length() - 4);
        }
        assertThat(BundleVerifier.hashing().problems(bundle)).satisfiesExactlyInAnyOrder(
                p -> assertThat(p).startsWith("config.json: changed: SHA-256"),
                p -> assertThat(p).startsWith("LUT.bin: " + (VOCAB * HIDDEN * 4 - 4) + " bytes, the manifest says "
                        + VOCAB * HIDDEN * 4 + " (truncated?)"));
        assertThatThrownBy(() -> BundleVerifier.hashing().verify(bundle)).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("config.json: changed").hasMessageContaining("LUT.bin: ");
    }

    @Test
    void crossChecksReportEveryMismatchAtOnce() throws IOException {
        // the files agree with their manifest entries, but not with each other: config says hidden 16,
        // the encoder puts out 12-wide rows, the LUT is 8 rows short, the tokenizer reaches id 45
        write(HIDDEN, VOCAB, 45);
        Files.write(bundle.resolve("LUT.bin"), new byte[(VOCAB - 8) * HIDDEN * 4]);
        writeInfo(bundle.resolve("vision.json"), 12);
        manifest(new BundleManifest.Geometry(HIDDEN, 2, 4, 2, VOCAB));
        assertThat(BundleVerifier.hashing().problems(bundle)).containsExactlyInAnyOrder(
                "LUT.bin: " + (VOCAB - 8) * HIDDEN * 4 + " bytes, but vocab_size x hidden_size x 4 = 40 x 16 x 4 = "
                        + VOCAB * HIDDEN * 4,
                "tokenizer.json: token id 45 is outside the vocabulary of 40 rows (vocab_size)",
                "vision.json: the vision encoder's output image_features is [1, 4, 12], expected [1, tokens, 16]"
                        + " (hidden_size)");
    }

    @Test
    void aUint8PixelInputMustTakeRawPixelBytes() throws IOException {
        write(HIDDEN, VOCAB, 39);
        QnnGraph graph = new QnnGraph("vision", List.of(new TensorSpec("pixel_values", QnnDataType.UFIXED_POINT_8,
                List.of(1, 64, 64, 3), Optional.of(Quantization.perTensor(0.8f / 255f, 0)))), List.of(new TensorSpec(
                "image_features", QnnDataType.FLOAT_16, List.of(1, 4, HIDDEN), Optional.empty())));
        Files.writeString(bundle.resolve("vision.json"), new ContextBinaryInfo(List.of(graph)).toJson());
        manifest(new BundleManifest.Geometry(HIDDEN, 2, 4, 2, VOCAB));
        assertThat(BundleVerifier.hashing().problems(bundle)).singleElement().asString()
                .startsWith("vision.json: the vision encoder's input pixel_values is quantized with scale 0.0031")
                .contains("it needs scale 1/255 and offset 0");
    }

    @Test
    void theManifestsGeometryMustBeTheConfigs() throws IOException {
        write(HIDDEN, VOCAB, 39);
        manifest(new BundleManifest.Geometry(HIDDEN, 3, 4, 1, VOCAB));
        assertThat(BundleVerifier.hashing().problems(bundle)).containsExactlyInAnyOrder(
                "config.json: num_hidden_layers is 2, the manifest says 3",
                "config.json: num_key_value_heads is 2, the manifest says 1");
    }

    @Test
    void missingAndEscapingFilesAreProblems() throws IOException {
        write(HIDDEN, VOCAB, 39);
        Files.delete(bundle.resolve("vision.json"));
        String text = Files.readString(bundle.resolve(BundleManifest.FILE_NAME)).replace("\"tokenizer.json\"",
                "\"../tokenizer.json\"");
        Files.writeString(bundle.resolve(BundleManifest.FILE_NAME), text);
        assertThat(BundleVerifier.hashing().problems(bundle)).contains("vision.json: missing",
                "../tokenizer.json: must be a relative path inside the bundle");
    }

    @Test
    void aMalformedManifestIsOneProblemNamingItsFields() throws IOException {
        Files.writeString(bundle.resolve(BundleManifest.FILE_NAME), "{\"format\": \"fastvlm-bundle/9\", \"files\": []}");
        assertThat(BundleVerifier.hashing().problems(bundle)).singleElement().asString()
                .contains("format must be \"fastvlm-bundle/1\"").contains("files lists no file")
                .contains("geometry.hidden_size must be an integer");
    }

    private void write(int hidden, int vocab, int highestToken) throws IOException {
        Files.writeString(bundle.resolve("config.json"), "{\"hidden_size\": " + hidden + ", \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": " + vocab
                + ", \"rope_theta\": 1000000.0, \"max_position_embeddings\": 64, \"eos_token_id\": 3,"
                + " \"bos_token_id\": 1, \"pad_token_id\": 2}");
        Files.write(bundle.resolve("LUT.bin"), new byte[vocab * hidden * 4]);
        Files.writeString(bundle.resolve("tokenizer.json"), "{\"version\": \"1.0\", \"added_tokens\": [{\"id\": "
                + highestToken + ", \"content\": \"<x>\"}], \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0, \"b\": 1}}}");
        Files.writeString(bundle.resolve("vision.bin"), "context binary");
        writeInfo(bundle.resolve("vision.json"), hidden);
        manifest(new BundleManifest.Geometry(hidden, 2, 4, 2, vocab));
    }

    private void manifest(BundleManifest.Geometry geometry) {
        BundleManifest.describe(bundle, Map.of(ModelArtifact.EMBEDDING_TABLE, "LUT.bin", ModelArtifact.TOKENIZER,
                        "tokenizer.json", ModelArtifact.VISION_ENCODER, "vision.bin", ModelArtifact.VISION_ENCODER_INFO,
                        "vision.json"), List.of("config.json"), geometry, Optional.of("SM8750"), Optional.of("2.42.0"))
                .writeTo(bundle);
    }

    private static void writeInfo(Path file, int width) throws IOException {
        QnnGraph graph = new QnnGraph("vision", List.of(new TensorSpec("pixel_values", QnnDataType.FLOAT_32,
                List.of(1, 3, 64, 64), Optional.empty())), List.of(new TensorSpec("image_features",
                QnnDataType.FLOAT_16, List.of(1, 4, width), Optional.empty())));
        Files.writeString(file, new ContextBinaryInfo(List.of(graph)).toJson());
    }
}

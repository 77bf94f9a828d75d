package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulated chain end to end: an emulated HuggingFace checkpoint and ONNX exports, through
 * {@code bundle from-hf}, {@code bundle build} (the emulated SDK's host tools) and {@code bundle
 * verify}, to the README's main job on the emulator with that bundle; then a changed and a
 * truncated file fail both {@code verify} and the pipeline's {@code build()}, naming the file.
 */
class BundleCommandTest extends CliTest {
    private static final String SAMPLE = "samples/red-and-blue.png";

    @TempDir
    Path root;

    @Test
    void fromHfBuildVerifyThenDescribeOnTheEmulator() throws IOException {
        Path inputs = root.resolve("inputs");
        assertThat(run("bundle", "emulated-inputs", "--out", inputs.toString())).as(err.toString()).isZero();
        Path checkpoint = inputs.resolve("checkpoint");
        Path sdk = inputs.resolve("sdk");
        Path images = Files.createDirectories(root.resolve("images"));
        Files.copy(Path.of(SAMPLE), images.resolve("red-and-blue.png"));
        Path bundle = root.resolve("bundle");

        assertThat(run("bundle", "from-hf", checkpoint.toString(), "--out", bundle.toString(),
                "--allow-unlisted-geometry")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("wrote " + bundle + ": 4 files").contains("hidden_size 112");

        assertThat(run("bundle", "build", bundle.toString(), "--sdk", sdk.toString(), "--chip", "SM8750",
                "--vision-onnx", checkpoint.resolve("fastvlm_vision_encoder.onnx").toString(),
                "--calibration-images", images.toString(),
                "--embedder-onnx", checkpoint.resolve("fastvlm_embed_tokens.onnx").toString(),
                "--compose-decoder", checkpoint.toString(), "--quantize", "Z8")).as(err.toString()).isZero();
        assertThat(err.toString())
                .contains("$ convert the vision encoder: " + sdk.resolve("bin/x86_64-linux-clang/qnn-onnx-converter")
                        + " --input_network " + checkpoint.resolve("fastvlm_vision_encoder.onnx"))
                .contains("--input_list ").contains("--act_bitwidth 8")
                .contains("$ generate the vision encoder's context binary for SM8750: ")
                .contains("$ describe the text embedder's context binary: ")
                .contains("$ compose the CPU decoder: ").contains("--quantize Z8");
        assertThat(out.toString()).contains("built and verified " + bundle + ": 9 files")
                .contains("built for SM8750 with QAIRT 2.42.0.251225-fastvlm-emulated");
        try (Stream<Path> left = Files.list(bundle)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("LUT.bin",
                    "tokenizer.json", "tokenizer_config.json", "config.json", "fastvlm-bundle.json",
                    "fastvlm_vision_encoder_int8_htp.bin", "fastvlm_vision_encoder_int8_htp.json",
                    "fastvlm_embed_tokens_fp16_htp.bin", "fastvlm_embed_tokens_fp16_htp.json", "fastvlm_model_z8.bin");
        }

        assertThat(run("bundle", "verify", bundle.toString())).as(err.toString()).isZero();
        assertThat(out.toString()).contains("verified " + bundle + ": 9 files");

        assertThat(run("describe", "--emulator", "--model-dir", bundle.toString(), "--sdk", sdk.toString(),
                "--image", SAMPLE, "--prompt", "What is in the image?")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Emulated FastVLM answer: the image is red on the left and blue on the"
                + " right. The image came before the text. You asked: \"What is in the image?\"");

        // one changed byte, one truncated file: verify names both, and so does the pipeline's build()
        Path config = bundle.resolve("tokenizer_config.json");
        byte[] bytes = Files.readAllBytes(config);
        bytes[bytes.length / 2] ^= 1;
        Files.write(config, bytes);
        try (RandomAccessFile lut = new RandomAccessFile(bundle.resolve("LUT.bin").toFile(), "rw")) {
            lut.setLength(lut.length() - 112 * 4);
        }
        assertThat(run("bundle", "verify", bundle.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("tokenizer_config.json: changed: SHA-256")
                .contains("LUT.bin: " + (151936L * 112 * 4 - 112 * 4) + " bytes, the manifest says "
                        + 151936L * 112 * 4 + " (truncated?)");
        int before = err.toString().length();
        assertThat(run("describe", "--emulator", "--model-dir", bundle.toString(), "--sdk", sdk.toString(),
                "--image", SAMPLE, "--prompt", "What is in the image?")).isEqualTo(1);
        assertThat(err.toString().substring(before)).contains("tokenizer_config.json: changed: SHA-256")
                .contains("LUT.bin: ").contains("(truncated?)");
    }

    @Test
    void aFailingToolIsNamedWithItsStepAndItsOwnMessage() throws IOException {
        Path inputs = root.resolve("inputs");
        assertThat(run("bundle", "emulated-inputs", "--out", inputs.toString(), "--width", "28")).isZero();
        Path checkpoint = inputs.resolve("checkpoint");
        Path bundle = root.resolve("bundle");
        assertThat(run("bundle", "from-hf", checkpoint.toString(), "--out", bundle.toString(),
                "--allow-unlisted-geometry")).isZero();
        // the text embedder's export given as the vision encoder: the converter refuses --input_dim pixel_values
        assertThat(run("bundle", "build", bundle.toString(), "--sdk", inputs.resolve("sdk").toString(), "--chip",
                "SM8750", "--vision-onnx", checkpoint.resolve("fastvlm_embed_tokens.onnx").toString(),
                "--compose-decoder", checkpoint.toString())).isEqualTo(1);
        assertThat(err.toString()).contains("step 'convert the vision encoder': qnn-onnx-converter failed (exit 1):"
                + " ERROR: --input_dim names pixel_values, which the model does not have (it has [input_ids])");
        try (Stream<Path> left = Files.list(bundle)) {
            assertThat(left.map(p -> p.getFileName().toString())).as("no work folder, no half bundle")
                    .containsExactlyInAnyOrder("LUT.bin", "tokenizer.json", "tokenizer_config.json", "config.json",
                            "fastvlm-bundle.json");
        }
    }

    @Test
    void fromHfRefusesAnUnlistedGeometryByDefault() throws IOException {
        Path inputs = root.resolve("inputs");
        assertThat(run("bundle", "emulated-inputs", "--out", inputs.toString(), "--width", "28")).isZero();
        assertThat(run("bundle", "from-hf", inputs.resolve("checkpoint").toString(), "--out",
                root.resolve("bundle").toString())).isEqualTo(1);
        assertThat(err.toString()).contains("fastvlm bundle from-hf: ").contains("hidden_size 28")
                .contains("is no released FastVLM");
    }
}

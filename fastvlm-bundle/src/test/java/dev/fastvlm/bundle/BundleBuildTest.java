package dev.fastvlm.bundle;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.soc.Soc;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.fastvlm.bundle.Goldens.golden;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The tool chain's checks and failures without any SDK: an empty one, and stand-in tools that fail. */
class BundleBuildTest {

    @TempDir
    Path root;

    private Path bundle() throws IOException {
        Path checkpoint = Files.createDirectories(root.resolve("checkpoint"));
        Files.copy(golden("single-f32.safetensors"), checkpoint.resolve("model.safetensors"));
        Files.writeString(checkpoint.resolve("config.json"), "{\"hidden_size\": 24, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 37, \"rope_theta\": 1e6,"
                + " \"max_position_embeddings\": 64, \"bos_token_id\": 1, \"eos_token_id\": 2, \"pad_token_id\": 0}");
        Files.writeString(checkpoint.resolve("tokenizer.json"), "{\"model\": {\"vocab\": {\"a\": 0}}}");
        Files.writeString(checkpoint.resolve("tokenizer_config.json"), "{}");
        Path bundle = root.resolve("bundle");
        CheckpointImport.builder().checkpoint(checkpoint).output(bundle).allowUnlistedGeometry(true).build().run();
        return bundle;
    }

    private static void tool(Path sdk, String name, String script) throws IOException {
        Path file = Files.createDirectories(sdk.resolve("bin/x86_64-linux-clang")).resolve(name);
        Files.writeString(file, "#!/bin/sh\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private Path sdk(String converterScript) throws IOException {
        Path sdk = Files.createDirectories(root.resolve("sdk"));
        Files.writeString(sdk.resolve("sdk.yaml"), "name: qairt\nversion: 2.42.0.251225\n");
        for (String t : List.of("qnn-model-lib-generator", "qnn-context-binary-generator", "qnn-context-binary-utility",
                "qnn-genai-transformer-composer")) {
            tool(sdk, t, "exit 0");
        }
        tool(sdk, "qnn-onnx-converter", converterScript);
        Path lib = Files.createDirectories(sdk.resolve("lib/x86_64-linux-clang"));
        Files.writeString(lib.resolve("libQnnHtp.so"), "");
        Files.writeString(lib.resolve("libQnnHtpNetRunExtensions.so"), "");
        return sdk;
    }

    private BundleBuild.Builder build(Path bundle, Path sdk) throws IOException {
        Path onnx = Files.writeString(root.resolve("vision.onnx"), "onnx");
        return BundleBuild.builder().bundle(bundle).sdk(sdk).chip(Soc.SM8750).visionExport(onnx)
                .composeDecoder(root.resolve("checkpoint"), "Z8");
    }

    @Test
    void listsEveryMissingToolLibraryAndInputAtOnce() throws IOException {
        Path bundle = bundle();
        Path sdk = Files.createDirectories(root.resolve("empty-sdk"));
        assertThatThrownBy(() -> build(bundle, sdk).calibrationImages(root.resolve("no-images"), 8,
                dev.fastvlm.ResizePolicy.STRETCH).embedderExport(root.resolve("embed.onnx")).build().run())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("the SDK has no host tool bin/x86_64-linux-clang/qnn-onnx-converter")
                .hasMessageContaining("the SDK has no host tool bin/x86_64-linux-clang/qnn-genai-transformer-composer")
                .hasMessageContaining("the SDK has no host library lib/x86_64-linux-clang/libQnnHtp.so")
                .hasMessageContaining(root.resolve("embed.onnx") + " does not exist")
                .hasMessageContaining("calibration image folder " + root.resolve("no-images") + " does not exist");
    }

    @Test
    void aFailingToolNamesItsStepAndItsOwnMessageAndLeavesTheBundleAsItWas() throws IOException {
        Path bundle = bundle();
        List<String> before;
        try (var files = Files.list(bundle)) {
            before = files.map(Path::toString).sorted().toList();
        }
        Path sdk = sdk("echo 'ERROR: Unsupported op: GridSample' >&2; exit 3");
        List<String> logged = new ArrayList<>();
        assertThatThrownBy(() -> build(bundle, sdk).commandLog(logged::add).build().run())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("step 'convert the vision encoder': qnn-onnx-converter failed (exit 3): ERROR: Unsupported op:"
                        + " GridSample");
        assertThat(logged).singleElement().asString().startsWith("convert the vision encoder: "
                + sdk.resolve("bin/x86_64-linux-clang/qnn-onnx-converter") + " --input_network ");
        try (var files = Files.list(bundle)) {
            assertThat(files.map(Path::toString).sorted().toList()).isEqualTo(before);
        }
    }

    @Test
    void aToolThatWritesNothingOrHangsIsAFailureOfItsStep() throws IOException {
        Path bundle = bundle();
        Path quiet = sdk("echo converted");
        assertThatThrownBy(() -> build(bundle, quiet).build().run()).isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("step 'convert the vision encoder': qnn-onnx-converter succeeded but did not write ")
                .hasMessageEndingWith(": converted");
        Files.delete(quiet.resolve("bin/x86_64-linux-clang/qnn-onnx-converter"));
        tool(quiet, "qnn-onnx-converter", "exec sleep 60");
        assertThatThrownBy(() -> build(bundle, quiet).toolTimeout(Duration.ofMillis(500)).build().run())
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("step 'convert the vision encoder': qnn-onnx-converter did not finish within 0 s");
    }

    @Test
    void aFolderWithoutTheHostFilesIsNotABundleToBuild() throws IOException {
        Path empty = Files.createDirectories(root.resolve("empty"));
        assertThatThrownBy(() -> build(empty, sdk("exit 0")).build().run()).isInstanceOf(ModelArtifactException.class)
                .hasMessage(empty + " has no fastvlm-bundle.json: write the bundle's host files with from-hf"
                        + " (CheckpointImport) first");
    }

    @Test
    void theSdkVersionComesFromSdkYaml() throws IOException {
        Path sdk = sdk("exit 0");
        assertThat(BundleBuild.sdkVersion(sdk)).isEqualTo("2.42.0.251225");
        Files.writeString(sdk.resolve("sdk.yaml"), "name: qairt\n");
        assertThatThrownBy(() -> BundleBuild.sdkVersion(sdk)).isInstanceOf(ModelArtifactException.class)
                .hasMessage(sdk.resolve("sdk.yaml") + " has no \"version:\" line");
    }

    @Test
    void aDecoderComesFromExactlyOnePlace() throws IOException {
        assertThatThrownBy(() -> BundleBuild.builder().bundle(root).sdk(root).chip(Soc.SM8750).visionExport(root)
                .build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("give either a decoder file or a checkpoint to compose the decoder from");
        assertThatThrownBy(() -> BundleBuild.builder().bundle(root).sdk(root).chip(Soc.SM8750).visionExport(root)
                .composeDecoder(root, "Z7").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was Z7");
    }
}

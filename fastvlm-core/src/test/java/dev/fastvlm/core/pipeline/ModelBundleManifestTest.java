package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.ModelArtifacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bundle manifest is input: it may name only files inside the bundle. */
class ModelBundleManifestTest {

    @TempDir
    Path root;

    private Path bundleWith(String decoderName) throws IOException {
        Path bundle = Files.createDirectories(root.resolve("bundle"));
        Files.writeString(bundle.resolve(BundleLayout.MANIFEST), "{\"DECODER\": \"" + decoderName + "\"}");
        return bundle;
    }

    @Test
    void refusesParentDirectories() throws IOException {
        Path bundle = bundleWith("../../etc/passwd");
        assertThatThrownBy(() -> ModelBundle.resolve(ModelArtifacts.fromDirectory(bundle), Optional.empty()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining(BundleLayout.MANIFEST + ": DECODER must name a file inside the bundle")
                .hasMessageContaining("was ../../etc/passwd");
    }

    @Test
    void refusesAbsolutePaths() throws IOException {
        Path bundle = bundleWith("/etc/hostname");
        assertThatThrownBy(() -> ModelBundle.resolve(ModelArtifacts.fromDirectory(bundle), Optional.empty()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining(BundleLayout.MANIFEST + ": DECODER must name a file inside the bundle")
                .hasMessageContaining("was /etc/hostname");
    }

    @Test
    void refusesSymbolicLinksOut() throws IOException {
        Path outside = Files.writeString(root.resolve("secret.bin"), "not a model");
        Path bundle = bundleWith("decoder.bin");
        Files.createSymbolicLink(bundle.resolve("decoder.bin"), outside);
        assertThatThrownBy(() -> ModelBundle.resolve(ModelArtifacts.fromDirectory(bundle), Optional.empty()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining(BundleLayout.MANIFEST + ": DECODER (decoder.bin) leads outside the bundle"
                        + " through a symbolic link");
    }
}

package dev.fastvlm;

import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Upload;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FastVlmBuilderTest {

    @TempDir
    Path dir;

    private FastVlm.Builder complete() {
        return FastVlm.builder()
                .device(new NoDevice())
                .models(ModelArtifacts.fromDirectory(dir))
                .runtime(QairtRuntime.of(dir));
    }

    @Test
    void missingDeviceIsNamed() {
        assertThatThrownBy(() -> complete().device(null).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("device: is required")
                .extracting(e -> ((InvalidConfigurationException) e).field()).isEqualTo("device");
    }

    @Test
    void missingModelsIsNamed() {
        assertThatThrownBy(() -> complete().models((ModelArtifacts) null).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageStartingWith("models: is required");
    }

    @Test
    void missingRuntimeIsNamed() {
        assertThatThrownBy(() -> complete().runtime(null).build())
                .hasMessageStartingWith("runtime: is required");
    }

    @Test
    void nonPositiveTimeoutIsNamed() {
        assertThatThrownBy(() -> complete().requestTimeout(Duration.ZERO).build())
                .hasMessage("requestTimeout: must be positive, was PT0S");
    }

    @Test
    void completeConfigurationReachesTheProvider() {
        try (FastVlm vlm = complete().imageLayout(ImageLayout.PLACEHOLDER).build()) {
            assertThat(vlm).isInstanceOf(RecordingProvider.Created.class);
            RecordingProvider.Created created = (RecordingProvider.Created) vlm;
            assertThat(created.config().imageLayout()).isEqualTo(ImageLayout.PLACEHOLDER);
            assertThat(created.config().resizePolicy()).isEqualTo(ResizePolicy.STRETCH);
            assertThat(created.config().generation()).isEqualTo(GenerationOptions.defaults());
            assertThat(created.config().runtime().deviceDirectory()).isEqualTo("/data/local/tmp/fastvlm");
            assertThat(created.config().literalPrompts()).as("literal prompts are the default").isTrue();
            assertThat(created.config().maxImageFileBytes()).isEqualTo(FastVlm.Builder.DEFAULT_MAX_IMAGE_FILE_BYTES);
        }
        try (FastVlm raw = complete().literalPrompts(false).maxImageFileBytes(1000).build()) {
            RecordingProvider.Created created = (RecordingProvider.Created) raw;
            assertThat(created.config().literalPrompts()).isFalse();
            assertThat(created.config().maxImageFileBytes()).isEqualTo(1000);
        }
    }

    @Test
    void aWrappingProviderChangesOneFieldAndKeepsTheRest() {
        try (FastVlm vlm = complete().systemPrompt("Be brief.").keepDeviceFiles(true).build()) {
            dev.fastvlm.spi.FastVlmConfig given = ((RecordingProvider.Created) vlm).config();
            Transport wrapped = new NoDevice();
            dev.fastvlm.spi.FastVlmConfig changed = given.toBuilder().device(wrapped).build();
            assertThat(changed.device()).isSameAs(wrapped).isNotSameAs(given.device());
            assertThat(changed.models()).isSameAs(given.models());
            assertThat(changed.systemPrompt()).contains("Be brief.");
            assertThat(changed.keepDeviceFiles()).isTrue();
            assertThat(changed.requestTimeout()).isEqualTo(FastVlm.Builder.DEFAULT_REQUEST_TIMEOUT);
            assertThatThrownBy(() -> given.toBuilder().requestTimeout(Duration.ofSeconds(-1)).build())
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("requestTimeout: must be positive, was PT-1S");
        }
    }

    @Test
    void imageFileLimitMustBePositive() {
        assertThatThrownBy(() -> complete().maxImageFileBytes(0).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("maxImageFileBytes: must be > 0, was 0");
    }

    @Test
    void modelDirectoryMustExist() {
        Path missing = dir.resolve("nope");
        assertThatThrownBy(() -> FastVlm.builder().models(missing))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("models.directory: is not a directory")
                .hasMessageContaining("nope");
    }

    @Test
    void runtimeRejectsRelativeDeviceDirectory() {
        assertThatThrownBy(() -> QairtRuntime.builder().sdkDirectory(dir).deviceDirectory("tmp/x").build())
                .hasMessage("runtime.deviceDirectory: must be an absolute device path, was tmp/x");
    }

    @Test
    void runtimeRejectsQuotesInDeviceDirectory() {
        assertThatThrownBy(() -> QairtRuntime.builder().sdkDirectory(dir).deviceDirectory("/data/a b").build())
                .hasMessageStartingWith("runtime.deviceDirectory: must be a plain absolute path");
    }

    @Test
    void runtimeRejectsShellCharactersInDeviceDirectory() {
        for (String unsafe : new String[] {"/data/x;reboot", "/data/$(id)", "/data/`id`", "/data/a|b", "/data/a&b"}) {
            assertThatThrownBy(() -> QairtRuntime.builder().sdkDirectory(dir).deviceDirectory(unsafe).build())
                    .isInstanceOf(InvalidConfigurationException.class)
                    .hasMessage("runtime.deviceDirectory: must be a plain absolute path of letters, digits and"
                            + " . _ - / (no shell characters such as ; $ ` spaces or quotes), was " + unsafe);
        }
        assertThatThrownBy(() -> QairtRuntime.builder().sdkDirectory(dir).deviceDirectory("/data/../etc").build())
                .hasMessage("runtime.deviceDirectory: must not contain \"..\", was /data/../etc");
        QairtRuntime.builder().sdkDirectory(dir).deviceDirectory("/data/local/tmp/fast-vlm_2.0").build();
    }

    @Test
    void artifactsNeedADirectoryOrFiles() {
        assertThatThrownBy(() -> ModelArtifacts.builder().build())
                .hasMessage("models: give a model directory or the model files");
        ModelArtifacts explicit = ModelArtifacts.builder()
                .file(ModelArtifact.EMBEDDING_TABLE, dir.resolve("LUT.bin")).build();
        assertThat(explicit.file(ModelArtifact.EMBEDDING_TABLE)).contains(dir.resolve("LUT.bin"));
        assertThat(explicit.file(ModelArtifact.DECODER)).isEmpty();
    }

    /** A transport that must never be used by these tests. */
    static final class NoDevice implements Transport {
        @Override
        public String target() {
            return "none";
        }

        @Override
        public void writeAll(java.util.List<Upload> uploads, TransferListener progress) {
            throw new AssertionError("unused");
        }

        @Override
        public void pull(String devicePath, Path hostFile, TransferListener progress) {
            throw new AssertionError("unused");
        }

        @Override
        public CommandResult run(DeviceCommand command, OutputListener output) {
            throw new AssertionError("unused");
        }

        @Override
        public void close() {
        }
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.ModelArtifactException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QairtSdkTest {

    @TempDir
    Path sdk;

    private void touch(String relative) throws IOException {
        Path file = sdk.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, relative);
    }

    private void htpSdk(String arch) throws IOException {
        touch("bin/aarch64-android/qnn-net-run");
        touch("bin/aarch64-android/genie-t2t-run");
        touch("lib/aarch64-android/libGenie.so");
        touch("lib/aarch64-android/libQnnHtp.so");
        touch("lib/aarch64-android/libQnnHtp" + arch.toUpperCase() + "Stub.so");
        touch("lib/aarch64-android/libQnnSystem.so");
        touch("lib/hexagon-" + arch + "/unsigned/libQnnHtp" + arch.toUpperCase() + "Skel.so");
    }

    @Test
    void picksTheLibrariesOfTheDevicesArchitecture() throws IOException {
        htpSdk("v79");
        htpSdk("v75");
        touch("lib/aarch64-android/libQnnHtpPrepare.so");
        QairtSdk opened = QairtSdk.open(sdk, "v79", DecoderBackend.HTP);
        assertThat(opened.deviceFiles()).extracting(p -> p.getFileName().toString()).containsExactly(
                "qnn-net-run", "genie-t2t-run", "libGenie.so", "libQnnHtp.so", "libQnnHtpV79Stub.so",
                "libQnnSystem.so", "libQnnHtpV79Skel.so", "libQnnHtpPrepare.so");
    }

    @Test
    void cpuDecoderNeedsTheGenAiTransformerLibraries() throws IOException {
        htpSdk("v73");
        assertThatThrownBy(() -> QairtSdk.open(sdk, "v73", DecoderBackend.CPU))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("libQnnGenAiTransformer*.so (needed by the CPU decoder)");
        touch("lib/aarch64-android/libQnnGenAiTransformer.so");
        touch("lib/aarch64-android/libQnnGenAiTransformerModel.so");
        assertThat(QairtSdk.open(sdk, "v73", DecoderBackend.CPU).deviceFiles())
                .extracting(p -> p.getFileName().toString())
                .contains("libQnnGenAiTransformer.so", "libQnnGenAiTransformerModel.so");
    }

    @Test
    void everyMissingFileIsNamedAtOnce() throws IOException {
        touch("bin/aarch64-android/qnn-net-run");
        assertThatThrownBy(() -> QairtSdk.open(sdk, "v79", DecoderBackend.HTP))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("bin/aarch64-android/genie-t2t-run")
                .hasMessageContaining("lib/aarch64-android/libQnnHtpV79Stub.so")
                .hasMessageContaining("lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so")
                .hasMessageNotContaining("qnn-net-run,");
    }
}

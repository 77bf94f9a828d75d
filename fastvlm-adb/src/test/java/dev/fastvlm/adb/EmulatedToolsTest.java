package dev.fastvlm.adb;

import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.DeviceToolException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorFaults;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The emulated QAIRT tools, synced and run as the pipeline will: qnn-net-run fails (exit code and
 * stderr in a DeviceToolException) until the transport gives it the library paths, and a hanging
 * qnn-net-run is killed on the device when its time limit passes.
 */
class EmulatedToolsTest {

    static final String DIR = "/data/local/tmp/fastvlm";
    static final int WIDTH = 28;

    @TempDir
    static Path host;
    static DeviceEmulator device;
    static AdbTransport adb;

    @BeforeAll
    static void start() throws IOException {
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(host.resolve("adbkey.pub")).build());
        adb = AdbTransport.builder().direct("127.0.0.1", device.port()).adbKey(host.resolve("adbkey")).build();
        Path sdk = EmulatedSdk.write(host.resolve("sdk"));
        Path bundle = EmulatedBundle.write(host.resolve("bundle"), WIDTH, EmulatedBundle.VisionPrecision.INT8);
        List<ArtifactSync.Artifact> files = new ArrayList<>();
        for (String program : EmulatedSdk.DEVICE_PROGRAMS) {
            files.add(ArtifactSync.Artifact.of(sdk.resolve("bin/aarch64-android/" + program)));
        }
        for (String lib : new String[] {"libGenie.so", "libQnnHtp.so", "libQnnSystem.so", "libQnnHtpV79Stub.so"}) {
            files.add(ArtifactSync.Artifact.of(sdk.resolve("lib/aarch64-android/" + lib)));
        }
        files.add(ArtifactSync.Artifact.of(sdk.resolve("lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so")));
        files.add(ArtifactSync.Artifact.of(bundle.resolve(EmulatedBundle.TEXT_EMBEDDER)));
        files.add(ArtifactSync.Artifact.of(bundle.resolve(EmulatedBundle.LUT)));
        assertThat(ArtifactSync.to(adb, DIR).sync(files, TransferListener.NONE).pushed()).hasSize(files.size());
        assertThat(ArtifactSync.to(adb, DIR).sync(files, TransferListener.NONE).bytesPushed()).isZero();
    }

    @AfterAll
    static void stop() {
        adb.close();
        device.close();
    }

    @Test
    void qnnNetRunFindsItsLibrariesOnlyThroughTheCommandsEnvironment() throws IOException {
        try (RequestDirectory request = RequestDirectory.reserve(adb, DIR + "/requests")) {
            ByteBuffer ids = ByteBuffer.allocate(512 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < 512; i++) {
                ids.putInt(i < 3 ? 100 + i : 151643);
            }
            adb.write(request.resolve("input_ids.raw"), ids.capacity(), out -> out.write(ids.array()), TransferListener.NONE);
            byte[] list = (request.resolve("input_ids.raw") + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            adb.write(request.resolve("embed.txt"), list.length, out -> out.write(list), TransferListener.NONE);
            DeviceCommand embed = DeviceCommand.of(DIR + "/qnn-net-run", "--backend", "libQnnHtp.so",
                            "--retrieve_context", DIR + "/" + EmulatedBundle.TEXT_EMBEDDER, "--input_list", "embed.txt",
                            "--use_native_input_files", "--use_native_output_files", "--output_dir", "out")
                    .inDirectory(request.path())
                    .withTimeout(Duration.ofMinutes(2));

            CommandResult withoutLibraries = adb.run(embed, OutputListener.NONE);
            assertThat(withoutLibraries.exitCode()).isNotZero();
            assertThatThrownBy(() -> adb.runChecked(embed, OutputListener.NONE))
                    .isInstanceOfSatisfying(DeviceToolException.class, e -> {
                        assertThat(e.tool()).isEqualTo(DIR + "/qnn-net-run");
                        assertThat(e.exitCode()).isEqualTo(withoutLibraries.exitCode());
                        assertThat(e.stderrTail()).contains("LD_LIBRARY_PATH");
                    });

            adb.runChecked(embed.withEnvironment("LD_LIBRARY_PATH", DIR + ":/vendor/lib64")
                    .withEnvironment("ADSP_LIBRARY_PATH", DIR + ";/vendor/dsp/cdsp"), OutputListener.NONE);
            Path output = host.resolve("embedded.raw");
            adb.pull(request.resolve("out/Result_0/output_0_native.raw"), output, TransferListener.NONE);
            assertThat(output).hasSize(512L * WIDTH * 2);
        }
    }

    @Test
    void aHangingToolIsKilledOnTheDeviceWhenItsTimeLimitPasses() throws Exception {
        try (DeviceEmulator hanging = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(host.resolve("adbkey.pub"))
                .faults(new EmulatorFaults(0, 0, 0, Map.of(), Set.of("qnn-net-run"))).build());
             AdbTransport other = AdbTransport.builder().direct("127.0.0.1", hanging.port())
                     .adbKey(host.resolve("adbkey")).build()) {
            other.push(host.resolve("sdk/bin/aarch64-android/qnn-net-run"), DIR + "/qnn-net-run", TransferListener.NONE);
            assertThatThrownBy(() -> other.run(DeviceCommand.of(DIR + "/qnn-net-run", "--version")
                    .withTimeout(Duration.ofSeconds(3)), OutputListener.NONE))
                    .isInstanceOf(FastVlmTimeoutException.class).hasMessageContaining("qnn-net-run");
            // The emulator runs device programs as processes of this JVM: none of the tool's is left.
            TestSupport.waitFor(() -> ProcessHandle.current().descendants()
                    .noneMatch(p -> p.info().commandLine().orElse("").contains("EmulatedTools qnn-net-run")));
        }
    }
}

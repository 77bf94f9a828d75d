package dev.fastvlm.core.pipeline;

import dev.fastvlm.transport.DeviceCommand;

import java.time.Duration;
import java.util.List;

/**
 * The command lines of the device programs, built in one place each as argument lists (the
 * transport quotes them). Programs and libraries live flat in the device working directory, as in
 * the seed flow; the environment lets the loader and the DSP find them there.
 */
final class DeviceTools {
    /**
     * Where the device's own libraries are, after the working directory, for the loader
     * ({@code :}-separated) and for the DSP ({@code ;}-separated): the order of Qualcomm's own
     * qnn-net-run target script and of the seed's device script (docs/qualcomm-formats.md,
     * "On the device").
     */
    static final List<String> SYSTEM_LIBRARY_DIRS = List.of("/vendor/dsp/cdsp", "/vendor/lib64");
    static final List<String> DSP_LIBRARY_DIRS = List.of("/vendor/dsp/cdsp", "/vendor/lib/rfsa/adsp",
            "/system/lib/rfsa/adsp", "/dsp");

    private DeviceTools() {
    }

    /** {@code LD_LIBRARY_PATH} for programs that live in {@code deviceDir}. */
    static String ldLibraryPath(String deviceDir) {
        return deviceDir + ":" + String.join(":", SYSTEM_LIBRARY_DIRS);
    }

    /** {@code ADSP_LIBRARY_PATH} for programs whose DSP libraries (skels) live in {@code deviceDir}. */
    static String adspLibraryPath(String deviceDir) {
        return deviceDir + ";" + String.join(";", DSP_LIBRARY_DIRS);
    }

    /** {@code qnn-net-run} on one context binary with native (unconverted) input and output files. */
    static DeviceCommand qnnNetRun(String deviceDir, String contextBinary, String inputList, String outputDir,
                                   Duration timeout) {
        return inDeviceDirectory(DeviceCommand.of(deviceDir + "/" + QairtSdk.QNN_NET_RUN,
                "--backend", QairtSdk.HTP_BACKEND,
                "--retrieve_context", contextBinary,
                "--input_list", inputList,
                "--use_native_input_files",
                "--use_native_output_files",
                "--output_dir", outputDir,
                "--num_inferences", "1"), deviceDir, timeout);
    }

    /** {@code genie-t2t-run} on precomputed embeddings, decoding generated tokens through the table. */
    static DeviceCommand genieT2tRun(String deviceDir, String config, String embeddingFile, String embeddingTable,
                                     String profile, Duration timeout) {
        return inDeviceDirectory(DeviceCommand.of(deviceDir + "/" + QairtSdk.GENIE_T2T_RUN,
                "--config", config,
                "--embedding_file", embeddingFile,
                "--embedding_table", embeddingTable,
                "--embedding_query_output_type", "text",
                "--profile", profile), deviceDir, timeout);
    }

    private static DeviceCommand inDeviceDirectory(DeviceCommand command, String deviceDir, Duration timeout) {
        return command
                .withEnvironment("LD_LIBRARY_PATH", ldLibraryPath(deviceDir))
                .withEnvironment("ADSP_LIBRARY_PATH", adspLibraryPath(deviceDir))
                .inDirectory(deviceDir)
                .withTimeout(timeout);
    }
}

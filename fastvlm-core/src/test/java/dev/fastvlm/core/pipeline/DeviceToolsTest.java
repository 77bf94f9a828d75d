package dev.fastvlm.core.pipeline;

import dev.fastvlm.transport.DeviceCommand;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class DeviceToolsTest {

    private static final String DIR = "/data/local/tmp/fastvlm";

    @Test
    void qnnNetRunFollowsTheSeedFlow() {
        DeviceCommand command = DeviceTools.qnnNetRun(DIR, "fastvlm_vision_encoder_int8_htp.bin",
                DIR + "/r1/vision_inputs.txt", DIR + "/r1/vision", Duration.ofSeconds(60));
        assertThat(command.arguments()).containsExactly(DIR + "/qnn-net-run",
                "--backend", "libQnnHtp.so",
                "--retrieve_context", "fastvlm_vision_encoder_int8_htp.bin",
                "--input_list", DIR + "/r1/vision_inputs.txt",
                "--use_native_input_files", "--use_native_output_files",
                "--output_dir", DIR + "/r1/vision",
                "--num_inferences", "1");
        assertThat(command.environment()).containsEntry("LD_LIBRARY_PATH", DIR + ":/vendor/dsp/cdsp:/vendor/lib64")
                .containsEntry("ADSP_LIBRARY_PATH",
                        DIR + ";/vendor/dsp/cdsp;/vendor/lib/rfsa/adsp;/system/lib/rfsa/adsp;/dsp");
        assertThat(command.workingDirectory()).contains(DIR);
        assertThat(command.timeout()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void genieT2tRunTakesEmbeddingsAndStreamsText() {
        DeviceCommand command = DeviceTools.genieT2tRun(DIR, DIR + "/r1/genie.json", DIR + "/r1/combined.raw",
                DIR + "/LUT.bin", DIR + "/r1/profile.json", Duration.ofMinutes(2));
        assertThat(command.arguments()).containsExactly(DIR + "/genie-t2t-run",
                "--config", DIR + "/r1/genie.json",
                "--embedding_file", DIR + "/r1/combined.raw",
                "--embedding_table", DIR + "/LUT.bin",
                "--embedding_query_output_type", "text",
                "--profile", DIR + "/r1/profile.json");
        assertThat(command.workingDirectory()).contains(DIR);
    }
}

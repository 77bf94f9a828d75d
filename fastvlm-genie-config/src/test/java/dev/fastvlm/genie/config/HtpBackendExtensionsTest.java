package dev.fastvlm.genie.config;

import dev.fastvlm.genie.soc.Soc;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HtpBackendExtensionsTest {

    @Test
    void templateForTheChipIsWrittenInTheTemplateLayout() {
        HtpBackendExtensions ext = HtpBackendExtensions.forSoc(Soc.SM8750);
        assertThat(ext.toJson()).isEqualTo(Fixtures.text("htp-ext-sm8750.json"));
        assertThat(HtpBackendExtensions.parse(ext.toJson())).isEqualTo(ext);
        assertThat(HtpBackendExtensions.forSoc(Soc.SM8550).devices().get(0))
                .isEqualTo(new HtpBackendExtensions.Device(43, "v73", List.of(new HtpBackendExtensions.Core(0,
                        "burst", 100))));
    }

    @Test
    void optionalSectionsMayBeAbsentAndTheFileIsKeptAsWritten() {
        String json = "{\"devices\": [{\"soc_model\": 57, \"dsp_arch\": \"v75\"}]}";
        HtpBackendExtensions ext = HtpBackendExtensions.parse(json);
        assertThat(ext.memType()).isNull();
        assertThat(ext.weightSharingEnabled()).isNull();
        assertThat(ext.shareResources()).isNull();
        assertThat(ext.devices().get(0).cores()).isEmpty();
        assertThat(ext.warnings()).isEmpty();
        assertThat(Fixtures.tree(ext.toJson())).isEqualTo(Fixtures.tree(json));
    }

    @Test
    void everyFormOfQualcommsFilesIsRead() {
        HtpBackendExtensions group = HtpBackendExtensions.parse("{\"devices\": [{\"soc_model\": 69, \"dsp_arch\":"
                + " \"v79\", \"cores\": [{\"core_id\": 0, \"perf_profile\": \"burst\", \"rpc_control_latency\": 100}]}],"
                + " \"memory\": {\"mem_type\": \"shared_buffer\"}, \"groupContext\": {\"share_resources\": true}}");
        assertThat(group.shareResources()).isTrue();
        assertThat(group.weightSharingEnabled()).isNull();
        assertThat(group.warnings()).isEmpty();

        HtpBackendExtensions socId = HtpBackendExtensions.parse("{\"devices\": [{\"soc_id\": 43, \"dsp_arch\":"
                + " \"v73\"}]}");
        assertThat(socId.devices().get(0)).isEqualTo(new HtpBackendExtensions.Device(43, "v73", List.of()));
        assertThat(socId.toJson()).contains("\"soc_id\"").doesNotContain("soc_model");

        HtpBackendExtensions coresOnly = HtpBackendExtensions.parse("{\"devices\": [{\"cores\": [{\"perf_profile\":"
                + " \"burst\", \"rpc_control_latency\": 100}]}]}");
        assertThat(coresOnly.devices()).containsExactly(new HtpBackendExtensions.Device(null, null,
                List.of(new HtpBackendExtensions.Core(null, "burst", 100))));

        HtpBackendExtensions extra = HtpBackendExtensions.parse("{\"devices\": [], \"graphs\": [{\"vtcm_mb\": 8}]}");
        assertThat(extra.warnings()).containsExactly("graphs: not known to this project; kept as written");
        assertThat(extra.json().at("/graphs/0/vtcm_mb").asInt()).isEqualTo(8);
    }

    @Test
    void wrongTypesAreRejectedByPathAndDoubtsAreWarnings() {
        assertThatThrownBy(() -> HtpBackendExtensions.parse("{\"devices\": [{\"soc_model\": \"69\", \"dsp_arch\":"
                + " \"v79\", \"cores\": [{\"core_id\": 0, \"perf_profile\": 3}]}], \"memory\": {\"mem_type\": 1}}"))
                .isInstanceOf(GenieConfigException.class)
                .hasMessage("devices[0].soc_model: must be an integer, was \"69\"; "
                        + "devices[0].cores[0].perf_profile: must be a string, was 3; memory.mem_type: must be a"
                        + " string, was 1");
        HtpBackendExtensions odd = HtpBackendExtensions.parse("{\"devices\": [{\"soc_model\": 69, \"dsp_arch\": \"79\","
                + " \"cores\": [{\"core_id\": 0, \"perf_profile\": \"turbo\", \"rpc_control_latency\": 100}]}]}");
        assertThat(odd.warnings()).containsExactly("devices[0].dsp_arch: \"79\" does not look like \"v79\"",
                "devices[0].cores[0].perf_profile: \"turbo\" is not one of balanced, burst, default,"
                        + " extreme_power_saver, high_performance, high_power_saver, low_balanced, low_power_saver,"
                        + " power_saver, sustained_high_performance");
        assertThatThrownBy(() -> HtpBackendExtensions.parse("[1]"))
                .hasMessage("<document>: must be an object, was an array");
    }
}

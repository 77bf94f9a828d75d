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
    void optionalSectionsMayBeAbsent() {
        HtpBackendExtensions ext = HtpBackendExtensions.parse(
                "{\"devices\": [{\"soc_model\": 57, \"dsp_arch\": \"v75\"}]}");
        assertThat(ext.memType()).isNull();
        assertThat(ext.weightSharingEnabled()).isNull();
        assertThat(ext.devices().get(0).cores()).isEmpty();
        assertThat(Fixtures.tree(ext.toJson())).isEqualTo(Fixtures.tree(
                "{\"devices\": [{\"soc_model\": 57, \"dsp_arch\": \"v75\", \"cores\": []}]}"));
    }

    @Test
    void problemsAreNamedByPath() {
        assertThatThrownBy(() -> HtpBackendExtensions.parse("{\"devices\": [{\"soc_model\": \"69\", \"dsp_arch\":"
                + " \"v79\", \"cores\": [{\"core_id\": 0, \"perf_profile\": \"burst\"}]}], \"memory\": {\"type\": 1}}"))
                .isInstanceOf(GenieConfigException.class)
                .hasMessage("devices[0].soc_model: must be a 32-bit integer, was \"69\"; "
                        + "devices[0].cores[0].rpc_control_latency: is required; memory.type: unknown key");
        assertThatThrownBy(() -> HtpBackendExtensions.parse("{\"devices\": [{\"soc_model\": 69, \"dsp_arch\": \"79\","
                + " \"cores\": [{\"core_id\": 0, \"perf_profile\": \"turbo\", \"rpc_control_latency\": 100}]}]}"))
                .hasMessage("devices[0].dsp_arch: must look like \"v79\", was \"79\"; devices[0].cores[0].perf_profile:"
                        + " must be one of balanced, burst, default, extreme_power_saver, high_performance,"
                        + " high_power_saver, low_balanced, low_power_saver, power_saver, sustained_high_performance,"
                        + " was \"turbo\"");
        assertThatThrownBy(() -> HtpBackendExtensions.parse("{\"devices\": []}"))
                .hasMessage("devices: must list at least one device");
        assertThatThrownBy(() -> HtpBackendExtensions.parse("[1]"))
                .hasMessage("<document>: must be an object, was an array");
    }
}

package dev.fastvlm.genie.soc;

import dev.fastvlm.DeviceException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SocTest {

    @ParameterizedTest
    @CsvSource({
            "SM8550, 43, v73, libQnnHtpV73Stub.so, libQnnHtpV73Skel.so",
            "SM8650, 57, v75, libQnnHtpV75Stub.so, libQnnHtpV75Skel.so",
            "SM8750, 69, v79, libQnnHtpV79Stub.so, libQnnHtpV79Skel.so",
            "SC8380XP, 60, v73, libQnnHtpV73Stub.so, libQnnHtpV73Skel.so"})
    void chipsMapToSocModelArchitectureAndLibraries(String chip, int socModel, String arch, String stub,
                                                    String skel) {
        Soc soc = Soc.fromChip(chip);
        assertThat(soc.chip()).isEqualTo(chip);
        assertThat(soc.socModel()).isEqualTo(socModel);
        assertThat(soc.htpArch().dspArch()).isEqualTo(arch);
        assertThat(soc.htpArch().stubLibrary()).isEqualTo(stub);
        assertThat(soc.htpArch().skelLibrary()).isEqualTo(skel);
        assertThat(Soc.fromSocModel(socModel)).isEqualTo(soc);
    }

    @Test
    void acceptsGetpropOutputAndMarketingNames() {
        assertThat(Soc.fromChip("sm8750\n")).isEqualTo(Soc.SM8750);
        assertThat(Soc.fromChip("Snapdragon 8 Elite")).isEqualTo(Soc.SM8750);
        assertThat(Soc.fromChip("snapdragon x elite")).isEqualTo(Soc.SC8380XP);
        assertThat(Soc.SM8650.htpArch().hexagonLibDir()).isEqualTo("hexagon-v75");
    }

    @Test
    void unknownChipsListTheKnownOnes() {
        String known = "known chips: SM8550 (Snapdragon 8 Gen 2, soc_model 43, v73), SM8650 (Snapdragon 8 Gen 3,"
                + " soc_model 57, v75), SM8750 (Snapdragon 8 Elite, soc_model 69, v79), SC8380XP (Snapdragon X"
                + " Elite, soc_model 60, v73)";
        assertThatThrownBy(() -> Soc.fromChip("SM8450"))
                .isInstanceOf(UnsupportedSocException.class)
                .isInstanceOf(DeviceException.class)
                .hasMessage("unknown Snapdragon chip \"SM8450\"; " + known);
        assertThatThrownBy(() -> Soc.fromSocModel(36)).hasMessage("unknown soc_model 36; " + known);
        assertThatThrownBy(() -> Soc.fromChip(null)).hasMessageStartingWith("unknown Snapdragon chip \"\";");
    }
}

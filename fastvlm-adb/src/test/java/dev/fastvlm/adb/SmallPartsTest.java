package dev.fastvlm.adb;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SmallPartsTest {

    @Test
    void adbDevicesListingIsParsedWithStates() {
        assertThat(AdbServerClient.parse("ABC123\tdevice\n127.0.0.1:5555\tunauthorized\nXYZ\toffline\n"))
                .extracting(Object::toString)
                .containsExactly("ABC123 (device)", "127.0.0.1:5555 (unauthorized)", "XYZ (offline)");
        assertThat(AdbServerClient.parse("")).isEmpty();
    }

    @Test
    void deviceFactsComeFromGetpropLinesAndHtpArchFromTheSocTableSeam() {
        DeviceFacts facts = DeviceFacts.parse("s1", "SM8650\nSM-S928B\n14\n34\narm64-v8a\n");
        assertThat(facts).isEqualTo(new DeviceFacts("s1", "SM8650", "SM-S928B", "14", 34, "arm64-v8a"));
        Map<String, String> table = Map.of("SM8650", "v75");
        assertThat(facts.htpArch(soc -> Optional.ofNullable(table.get(soc)))).contains("v75");
        DeviceFacts older = DeviceFacts.parse("s2", "\nPixel 5\n13\nnot-a-number\narm64-v8a\n");
        assertThat(older.socModel()).isEmpty();
        assertThat(older.sdkLevel()).isEqualTo(-1);
        assertThat(older.htpArch(soc -> Optional.of("never asked"))).isEmpty();
    }
}

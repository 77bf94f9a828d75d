package dev.fastvlm.transport;

import dev.fastvlm.InvalidConfigurationException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceCommandTest {

    @Test
    void withersReturnModifiedCopies() {
        DeviceCommand base = DeviceCommand.of("./qnn-net-run", "--backend", "libQnnHtp.so");
        DeviceCommand full = base.withEnvironment("LD_LIBRARY_PATH", "/data/local/tmp/x")
                .withEnvironment("ADSP_LIBRARY_PATH", "/data/local/tmp/x;/vendor/dsp/cdsp")
                .inDirectory("/data/local/tmp/x")
                .withTimeout(Duration.ofSeconds(30));
        assertThat(base.environment()).isEmpty();
        assertThat(base.workingDirectory()).isEmpty();
        assertThat(base.timeout()).isEqualTo(DeviceCommand.DEFAULT_TIMEOUT);
        assertThat(full.arguments()).containsExactly("./qnn-net-run", "--backend", "libQnnHtp.so");
        assertThat(full.environment().keySet()).containsExactly("LD_LIBRARY_PATH", "ADSP_LIBRARY_PATH");
        assertThat(full.workingDirectory()).contains("/data/local/tmp/x");
        assertThat(full.program()).isEqualTo("./qnn-net-run");
    }

    @Test
    void rejectsEmptyCommandsAndBadNames() {
        assertThatThrownBy(() -> DeviceCommand.of(List.of()))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("command.arguments: must name a program");
        assertThatThrownBy(() -> DeviceCommand.of("ls").withEnvironment("A=B", "x"))
                .hasMessage("command.environment: not a variable name: A=B");
        assertThatThrownBy(() -> DeviceCommand.of("ls", "a\0b"))
                .hasMessageStartingWith("command.arguments: must not contain null or NUL");
        assertThatThrownBy(() -> DeviceCommand.of("ls").withTimeout(Duration.ofSeconds(-1)))
                .hasMessage("command.timeout: must be positive, was PT-1S");
    }
}

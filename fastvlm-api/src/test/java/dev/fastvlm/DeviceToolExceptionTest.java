package dev.fastvlm;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DeviceToolExceptionTest {

    @Test
    void aReasonPrintedOnStdoutIsNotLostWhenStderrIsEmpty() {
        DeviceToolException e = new DeviceToolException("genie-t2t-run", 1, "",
                "Using libGenie.so version 1.13.0\n\n   File /d/LUT.bin doesn't exists or is in bad shape.\n");
        assertThat(e).hasMessage("genie-t2t-run exited with code 1:\nstdout: Using libGenie.so version 1.13.0\n\n"
                + "   File /d/LUT.bin doesn't exists or is in bad shape.");
        assertThat(e.stdoutTail()).contains("doesn't exists");
        assertThat(e.stderrTail()).isEmpty();
    }

    @Test
    void bothStreamsAreShownAndStderrAloneStaysAsItWas() {
        assertThat(new DeviceToolException("qnn-net-run", 2, "ERROR: no graph\n", "loading\n"))
                .hasMessage("qnn-net-run exited with code 2:\nstdout: loading\nstderr: ERROR: no graph");
        DeviceToolException old = new DeviceToolException("qnn-net-run", 2, "ERROR: no graph\n");
        assertThat(old).hasMessage("qnn-net-run exited with code 2:\nERROR: no graph");
        assertThat(old.stdoutTail()).isEmpty();
        assertThat(new DeviceToolException("sh", 3, null, null)).hasMessage("sh exited with code 3");
    }

    @Test
    void anIncompleteAnswerIsADeviceToolFailureThatSaysHow() {
        IncompleteAnswerException e = new IncompleteAnswerException("genie-t2t-run", 0,
                IncompleteAnswerException.Reason.NO_END, "The sky", "", "[BEGIN]: ");
        assertThat(e).isInstanceOf(DeviceToolException.class)
                .hasMessageStartingWith("genie-t2t-run stopped before the end of its answer ([END] missing) (exit"
                        + " code 0)");
        assertThat(e.partialAnswer()).isEqualTo("The sky");
        assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.NO_END);
    }
}

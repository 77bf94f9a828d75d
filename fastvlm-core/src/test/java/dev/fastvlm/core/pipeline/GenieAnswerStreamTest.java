package dev.fastvlm.core.pipeline;

import dev.fastvlm.DeviceToolException;
import dev.fastvlm.IncompleteAnswerException;
import dev.fastvlm.transport.CommandResult;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenieAnswerStreamTest {

    private static final String OUTPUT = "Using libGenie.so version 1.13.0\n\n"
            + "Embedding file size: 946176 bytes\n"
            + "[BEGIN]: \n\nThe image shows a red [square] on the left — 赤い 🟥 and blue.[END]\n";
    private static final String ANSWER = "\n\nThe image shows a red [square] on the left — 赤い 🟥 and blue.";

    private final List<String> pieces = new ArrayList<>();

    @Test
    void wholeOutputAtOnce() {
        GenieAnswerStream stream = feed(OUTPUT.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
        assertThat(stream.answer()).isEqualTo(ANSWER);
        assertThat(String.join("", pieces)).isEqualTo(ANSWER);
        assertThat(stream.ended()).isTrue();
        assertThat(stream.genieVersion()).contains("1.13.0");
    }

    @Test
    void everySplitPointGivesTheSameAnswer() {
        byte[] bytes = OUTPUT.getBytes(StandardCharsets.UTF_8);
        for (int chunk = 1; chunk <= 13; chunk++) {
            pieces.clear();
            GenieAnswerStream stream = feed(bytes, chunk);
            assertThat(stream.answer()).as("chunk size %d", chunk).isEqualTo(ANSWER);
            assertThat(String.join("", pieces)).as("chunk size %d", chunk).isEqualTo(ANSWER);
            assertThat(stream.ended()).isTrue();
        }
    }

    @Test
    void partialMarkerAtTheEndIsKeptWhenNoEndFollows() {
        GenieAnswerStream stream = feed("[BEGIN]: cut off [EN".getBytes(StandardCharsets.UTF_8), 3);
        assertThat(pieces).doesNotContain("[EN");
        stream.finish();
        assertThat(stream.answer()).isEqualTo("cut off [EN");
        assertThat(stream.ended()).isFalse();
    }

    @Test
    void textAfterEndIsIgnored() {
        GenieAnswerStream stream = feed("[BEGIN]: yes[END]\n[BEGIN]: again[END]\n".getBytes(StandardCharsets.UTF_8), 4);
        assertThat(stream.answer()).isEqualTo("yes");
    }

    @Test
    void noMarkerMeansNoAnswer() {
        GenieAnswerStream stream = feed("Using libGenie.so version 1.13.0\nError: failed\n".getBytes(StandardCharsets.UTF_8), 5);
        stream.finish();
        assertThat(stream.answer()).isEmpty();
        assertThat(stream.answerStarted()).isFalse();
        assertThat(pieces).isEmpty();
    }

    @Test
    void anAbortBeforeAnyAnswerIsAnIncompleteAnswerWithItsReason() {
        GenieAnswerStream stream = feed("Using libGenie.so version 1.13.0\n\n[ABORT]: engine prompt processing failed"
                .getBytes(StandardCharsets.UTF_8), 7);
        stream.finish();
        assertThat(stream.aborted()).isTrue();
        assertThat(stream.answer()).isEmpty();
        assertThatThrownBy(() -> stream.check("genie-t2t-run", new CommandResult(1, "Failed to query with embedding.",
                Duration.ZERO)))
                .isInstanceOfSatisfying(IncompleteAnswerException.class, e -> {
                    assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.ABORTED);
                    assertThat(e.exitCode()).isEqualTo(1);
                    assertThat(e.stdoutTail()).contains("[ABORT]: engine prompt processing failed")
                            .contains("Using libGenie.so version 1.13.0");
                    assertThat(e.stderrTail()).isEqualTo("Failed to query with embedding.");
                    assertThat(e).hasMessageContaining("reported the query as aborted")
                            .hasMessageContaining("engine prompt processing failed");
                });
    }

    @Test
    void anAbortInTheMiddleOfAnAnswerEndsItAndKeepsWhatCameBefore() {
        for (int chunk = 1; chunk <= 11; chunk++) {
            pieces.clear();
            GenieAnswerStream stream = feed("[BEGIN]: The sky is[ABORT]: KV update failed\n"
                    .getBytes(StandardCharsets.UTF_8), chunk);
            stream.finish();
            assertThat(String.join("", pieces)).as("chunk %d", chunk).isEqualTo("The sky is");
            assertThatThrownBy(() -> stream.check("genie-t2t-run", new CommandResult(0, "", Duration.ZERO)))
                    .isInstanceOfSatisfying(IncompleteAnswerException.class, e -> {
                        assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.ABORTED);
                        assertThat(e.partialAnswer()).isEqualTo("The sky is");
                        assertThat(e.stdoutTail()).contains("KV update failed").doesNotContain("The sky is");
                    });
        }
    }

    @Test
    void aMissingEndIsAnIncompleteAnswerEvenWhenTheToolSucceeded() {
        GenieAnswerStream stream = feed("[BEGIN]: half an ans".getBytes(StandardCharsets.UTF_8), 4);
        stream.finish();
        assertThatThrownBy(() -> stream.check("genie-t2t-run", new CommandResult(0, "", Duration.ZERO)))
                .isInstanceOfSatisfying(IncompleteAnswerException.class, e -> {
                    assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.NO_END);
                    assertThat(e.partialAnswer()).isEqualTo("half an ans");
                    assertThat(e).hasMessageStartingWith("genie-t2t-run stopped before the end of its answer");
                });
    }

    @Test
    void aFailedRunCarriesStdoutWithoutTheAnswerAndStderr() {
        GenieAnswerStream stream = feed(("Using libGenie.so version 1.13.0\n\n                   File /d/LUT.bin doesn't"
                + " exists or is in bad shape.\n").getBytes(StandardCharsets.UTF_8), 9);
        stream.finish();
        assertThatThrownBy(() -> stream.check("genie-t2t-run", new CommandResult(1, "", Duration.ZERO)))
                .isExactlyInstanceOf(DeviceToolException.class)
                .hasMessageContaining("File /d/LUT.bin doesn't exists or is in bad shape.")
                .satisfies(e -> assertThat(((DeviceToolException) e).stdoutTail())
                        .contains("File /d/LUT.bin doesn't exists"));
        GenieAnswerStream none = feed("Using libGenie.so version 1.13.0\n".getBytes(StandardCharsets.UTF_8), 3);
        none.finish();
        assertThatThrownBy(() -> none.check("genie-t2t-run", new CommandResult(0, "", Duration.ZERO)))
                .isInstanceOfSatisfying(IncompleteAnswerException.class, e ->
                        assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.NO_ANSWER));
    }

    /**
     * Genie 1.13.0's {@code main.cpp} (kyungraekim/qnn, examples/Genie/genie-t2t-run/main.cpp) throws
     * {@code Failed to query with embedding.} and prints it from its catch with {@code std::cerr}, exit 1;
     * the reason is Genie's log line on stdout. The issue read it on stdout: either way it reaches the
     * exception, with the stream it came on.
     */
    @Test
    void aFailedEmbeddingQueryIsReportedWhicheverStreamCarriesIt() {
        String log = "Using libGenie.so version 1.13.0\n\nEmbedding file size: 946176 bytes\n\n"
                + "[WARN]  \"Context limit exceeded (0 + 600 > 512)\"\n";
        GenieAnswerStream real = feed(log.getBytes(StandardCharsets.UTF_8), 13);
        real.finish();
        assertThatThrownBy(() -> real.check("genie-t2t-run", new CommandResult(1, "Failed to query with embedding.\n",
                Duration.ZERO)))
                .isExactlyInstanceOf(DeviceToolException.class)
                .hasMessageContaining("stderr: Failed to query with embedding.")
                .hasMessageContaining("stdout: ").hasMessageContaining("Context limit exceeded (0 + 600 > 512)")
                .satisfies(e -> assertThat(((DeviceToolException) e).exitCode()).isEqualTo(1));
        GenieAnswerStream onStdout = feed((log + "Failed to query with embedding.\n").getBytes(StandardCharsets.UTF_8), 5);
        onStdout.finish();
        assertThatThrownBy(() -> onStdout.check("genie-t2t-run", new CommandResult(1, "", Duration.ZERO)))
                .isExactlyInstanceOf(DeviceToolException.class)
                .hasMessageContaining("Context limit exceeded (0 + 600 > 512)")
                .satisfies(e -> assertThat(((DeviceToolException) e).stdoutTail())
                        .contains("Failed to query with embedding."));
    }

    @Test
    void aWholeAnswerPassesTheCheckAndItsTextIsNotInTheStdoutTail() {
        GenieAnswerStream stream = feed((OUTPUT + "\n[KPIS]:\nInit Time: 1 us\n").getBytes(StandardCharsets.UTF_8), 5);
        stream.finish();
        stream.check("genie-t2t-run", new CommandResult(0, "", Duration.ZERO));
        assertThat(stream.stdoutTail()).contains("Embedding file size: 946176 bytes").contains("[KPIS]:")
                .doesNotContain("red [square]");
    }

    @Test
    void aCopyThatLostTheSpaceAfterBeginIsReadToo() {
        GenieAnswerStream stream = feed("[BEGIN]:\n\nParis.[END]\n".getBytes(StandardCharsets.UTF_8), 1);
        stream.finish();
        assertThat(stream.answer()).isEqualTo("\n\nParis.");
        assertThat(stream.ended()).isTrue();
    }

    private GenieAnswerStream feed(byte[] bytes, int chunk) {
        GenieAnswerStream stream = new GenieAnswerStream(pieces::add);
        for (int i = 0; i < bytes.length; i += chunk) {
            int n = Math.min(chunk, bytes.length - i);
            byte[] copy = new byte[n + 2];
            System.arraycopy(bytes, i, copy, 1, n);
            stream.onStdout(copy, 1, n);
        }
        return stream;
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.genie.conformance.RealFiles;
import dev.fastvlm.IncompleteAnswerException;
import dev.fastvlm.transport.CommandResult;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real {@code genie-t2t-run} console transcripts ({@code ../shared/fixtures/qairt-real/t2t-stdout},
 * provenance in its PROVENANCE.md) read by the pipeline's answer reader in chunks of every size from
 * 1 byte: the answer, the libGenie version and the end marker come out exactly. The expected values
 * come from elsewhere: the version from the file's name, the answer from a plain search for the
 * markers in the whole text. Skipped, saying why, when the folder is absent.
 */
class RealTranscriptsTest {
    private static final Pattern VERSION_IN_NAME = Pattern.compile("genie-(\\d+\\.\\d+\\.\\d+)");

    @Test
    void everyTranscriptsAnswerVersionAndEndMarkerAreReadExactly() throws IOException {
        List<Path> transcripts = RealFiles.files("t2t-stdout", ".txt");
        assertThat(transcripts).hasSize(9);
        int answers = 0;
        for (Path file : transcripts) {
            String name = RealFiles.name(file);
            String text = Files.readString(file);
            Matcher version = VERSION_IN_NAME.matcher(name);
            int begin = text.indexOf("[BEGIN]:");
            for (int chunk : new int[] {1, 2, 3, 7, 64, Integer.MAX_VALUE}) {
                List<String> pieces = new ArrayList<>();
                GenieAnswerStream stream = feed(text.getBytes(StandardCharsets.UTF_8), chunk, pieces);
                stream.finish();
                String as = name + " in chunks of " + chunk;
                if (version.find(0)) {
                    assertThat(stream.genieVersion()).as(as).contains(version.group(1));
                } else {
                    assertThat(stream.genieVersion()).as(as).isEmpty();
                }
                if (begin < 0) {
                    assertThat(stream.answerStarted()).as(as).isFalse();
                    assertThatThrownBy(() -> stream.check("genie-t2t-run", new CommandResult(1, "", Duration.ZERO)))
                            .as(as).hasMessageContaining("Failed to create the dialog.");
                    continue;
                }
                int start = begin + "[BEGIN]:".length();
                if (text.charAt(start) == ' ') {
                    start++;
                }
                String expected = text.substring(start, text.indexOf("[END]", start));
                assertThat(stream.answer()).as(as).isEqualTo(expected);
                assertThat(String.join("", pieces)).as(as).isEqualTo(expected);
                assertThat(stream.ended()).as(as).isTrue();
                assertThat(stream.aborted()).as(as).isFalse();
                stream.check("genie-t2t-run", new CommandResult(0, "", Duration.ZERO));
                assertThat(stream.stdoutTail()).as(as).doesNotContain(expected.strip());
            }
            answers += begin < 0 ? 0 : 1;
        }
        assertThat(answers).isEqualTo(8);
    }

    @Test
    void theFailedTranscriptIsAFailureWhoseReasonIsOnStdout() throws IOException {
        Path file = RealFiles.dir().resolve("t2t-stdout/esw-m25_QIDK-setup_block01_error.txt");
        GenieAnswerStream stream = feed(Files.readAllBytes(file), 5, new ArrayList<>());
        stream.finish();
        assertThatThrownBy(() -> stream.check("genie-t2t-run", new CommandResult(0, "", Duration.ZERO)))
                .isInstanceOfSatisfying(IncompleteAnswerException.class, e -> {
                    assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.NO_ANSWER);
                    assertThat(e.stdoutTail()).contains("Device Creation failure");
                });
    }

    private static GenieAnswerStream feed(byte[] bytes, int chunk, List<String> pieces) {
        GenieAnswerStream stream = new GenieAnswerStream(pieces::add);
        for (int i = 0; i < bytes.length; i += chunk) {
            int n = Math.min(chunk, bytes.length - i);
            stream.onStdout(bytes, i, n);
        }
        return stream;
    }
}

package dev.fastvlm.core.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

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
    void abortIsReported() {
        GenieAnswerStream stream = feed("[ABORT]: partial".getBytes(StandardCharsets.UTF_8), 64);
        stream.finish();
        assertThat(stream.aborted()).isTrue();
        assertThat(stream.answer()).isEqualTo("partial");
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

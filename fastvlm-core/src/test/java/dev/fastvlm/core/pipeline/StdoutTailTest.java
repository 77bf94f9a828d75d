package dev.fastvlm.core.pipeline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StdoutTailTest {

    @Test
    void keepsEverythingWhileItFits() {
        StdoutTail tail = new StdoutTail();
        byte[] a = "ERROR: could not open input list l.txt\n".getBytes(StandardCharsets.UTF_8);
        tail.onStdout(a, 0, 6);
        tail.onStdout(a, 6, a.length - 6);
        assertThat(tail.text()).isEqualTo("ERROR: could not open input list l.txt\n");
    }

    @Test
    void keepsTheLastBytesInOrderAcrossChunksOfAnySize() {
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            all.append(i).append(' ');
        }
        byte[] bytes = all.toString().getBytes(StandardCharsets.US_ASCII);
        for (int chunk : new int[] {1, 7, 999, StdoutTail.LIMIT + 5, bytes.length}) {
            StdoutTail tail = new StdoutTail();
            for (int i = 0; i < bytes.length; i += chunk) {
                tail.onStdout(bytes, i, Math.min(chunk, bytes.length - i));
            }
            assertThat(tail.text()).as("chunk %d", chunk)
                    .isEqualTo(all.substring(all.length() - StdoutTail.LIMIT));
        }
    }
}

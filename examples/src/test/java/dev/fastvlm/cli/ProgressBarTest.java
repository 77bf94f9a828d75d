package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest {

    @Test
    void rendersInPlaceAndOnlyWhenThePercentMoves() {
        StringWriter screen = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(screen), "sync");
        bar.onProgress(0, 1000);
        bar.onProgress(4, 1000);
        bar.onProgress(500, 1000);
        bar.onProgress(1000, 1000);
        String[] frames = screen.toString().split("\r", -1);
        assertThat(frames).hasSize(4);
        assertThat(frames[2]).isEqualTo("sync [###############               ]  50% 500 / 1,000 bytes");
        assertThat(frames[3]).startsWith("sync [##############################] 100%").endsWith(System.lineSeparator());
    }
}

package dev.fastvlm.emulator.tools;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class Fp16Test {

    /** Golden pairs from numpy's float32 -> float16 cast (src/test/scripts/fp16_golden.py). */
    @Test
    void conversionMatchesNumpy() throws Exception {
        List<String> lines;
        try (InputStream in = Fp16Test.class.getResourceAsStream("fp16_golden.csv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().skip(1).toList();
        }
        assertThat(lines).hasSizeGreaterThan(400);
        for (String line : lines) {
            String[] f = line.split(",");
            float value = Float.intBitsToFloat((int) Long.parseLong(f[0], 16));
            short expected = (short) Integer.parseInt(f[1], 16);
            assertThat(Fp16.fromFloat(value)).as("fp16(%s)", value).isEqualTo(expected);
            float back = Fp16.toFloat(expected);
            assertThat(Fp16.fromFloat(back)).as("round trip of %s", back).isEqualTo(expected);
        }
    }
}

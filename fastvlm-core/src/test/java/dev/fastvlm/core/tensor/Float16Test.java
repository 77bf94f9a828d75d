package dev.fastvlm.core.tensor;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class Float16Test {

    @Test
    void widensEveryHalfExactlyAsNumpyDoes() {
        ByteBuffer expected = Goldens.read("fp16_to_fp32.bin.gz");
        assertThat(expected.remaining()).isEqualTo(65536 * 4);
        int mismatches = 0;
        for (int h = 0; h < 65536; h++) {
            int want = expected.getInt(4 * h);
            if (Float16.toFloatBits((short) h) != want) {
                mismatches++;
            }
        }
        assertThat(mismatches).as("halves whose float32 bits differ from numpy's").isZero();
    }

    @Test
    void widensSignallingNanPayloadsAndInfinities() {
        assertThat(Float16.toFloatBits((short) 0x7c01)).isEqualTo(0x7f80_2000);
        assertThat(Float16.toFloatBits((short) 0xfc00)).isEqualTo(0xff80_0000);
        assertThat(Float16.toFloat((short) 0x0001)).isEqualTo(0x1p-24f);
        assertThat(Float16.toFloat((short) 0x7bff)).isEqualTo(65504f);
    }

    @Test
    void narrowsLikeNumpyAstypeFloat16() {
        ByteBuffer in = Goldens.read("fp32_to_fp16_in.bin.gz");
        ByteBuffer out = Goldens.read("fp32_to_fp16_out.bin.gz");
        int n = in.remaining() / 4;
        assertThat(out.remaining()).isEqualTo(2 * n);
        assertThat(n).isGreaterThan(20_000);
        for (int i = 0; i < n; i++) {
            int bits = in.getInt(4 * i);
            short want = out.getShort(2 * i);
            assertThat(Float16.fromFloatBits(bits))
                    .as("float32 bits %08x", bits)
                    .isEqualTo(want);
        }
    }

    @Test
    void roundTripsEveryNonNanHalf() {
        for (int h = 0; h < 65536; h++) {
            float f = Float16.toFloat((short) h);
            if (!Float.isNaN(f)) {
                assertThat(Float16.fromFloat(f)).isEqualTo((short) h);
            }
        }
    }
}

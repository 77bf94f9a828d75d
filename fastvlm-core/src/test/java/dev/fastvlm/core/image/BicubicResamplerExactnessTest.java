package dev.fastvlm.core.image;

import dev.fastvlm.core.image.decode.ArrivingRows;
import dev.fastvlm.core.image.decode.RgbImage;
import dev.fastvlm.core.image.decode.SourcePixels;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The resampler's packed, two-rows-at-a-time, eight-bytes-at-a-time arithmetic against Pillow's
 * algorithm written out plainly (Resample.c: one channel, one sum, one pixel at a time, on a
 * materialised canvas), on random pixels, sizes, pads and crops, for pixels on the heap, off the
 * heap and arriving from a decoder: the fast paths are exact only by argument, and the PIL goldens
 * cannot cover every shape.
 */
class BicubicResamplerExactnessTest {

    @Test
    void packedArithmeticEqualsPlainPillowOnRandomShapes() {
        Random random = new Random(20261126L);
        for (int trial = 0; trial < 300; trial++) {
            int w = 1 + random.nextInt(trial < 200 ? 40 : 300);
            int h = 1 + random.nextInt(trial < 200 ? 40 : 300);
            RgbImage src = randomImage(random, w, h, trial % 3 == 0);
            int canvasW = w + (random.nextBoolean() ? 0 : random.nextInt(20));
            int canvasH = h + (random.nextBoolean() ? 0 : random.nextInt(20));
            int offX = random.nextInt(canvasW - w + 1);
            int offY = random.nextInt(canvasH - h + 1);
            int outW = 1 + random.nextInt(120);
            int outH = 1 + random.nextInt(120);
            int cropW = 1 + random.nextInt(outW);
            int cropH = 1 + random.nextInt(outH);
            int cropX = random.nextInt(outW - cropW + 1);
            int cropY = random.nextInt(outH - cropH + 1);
            String shape = String.format("%dx%d on %dx%d at (%d,%d) -> %dx%d, window %dx%d at (%d,%d)",
                    w, h, canvasW, canvasH, offX, offY, outW, outH, cropW, cropH, cropX, cropY);

            byte[] expected = plainPillow(src, canvasW, canvasH, offX, offY, outW, outH, cropX, cropY, cropW, cropH);
            RgbImage heap = BicubicResampler.resize(src, canvasW, canvasH, offX, offY, outW, outH, cropX, cropY, cropW, cropH);
            assertThat(heap.rgb()).as(shape).isEqualTo(expected);

            ByteBuffer direct = ByteBuffer.allocateDirect(src.rgb().length).put(src.rgb());
            RgbImage offHeap = BicubicResampler.resize(SourcePixels.of(w, h, direct), canvasW, canvasH, offX, offY,
                    outW, outH, cropX, cropY, cropW, cropH);
            assertThat(offHeap.rgb()).as("off-heap source, " + shape).isEqualTo(expected);

            // Rows arriving from a decoder: output rows are computed as soon as their window is in,
            // and what is left when the decoder is through (here: after a random number of rows)
            // is split over the fork-join pool.
            Arriving gate = new Arriving(random.nextInt(h + 1));
            RgbImage arriving = BicubicResampler.resize(SourcePixels.arriving(src, gate),
                    canvasW, canvasH, offX, offY, outW, outH, cropX, cropY, cropW, cropH);
            assertThat(arriving.rgb()).as("arriving rows, " + shape).isEqualTo(expected);
            assertThat(gate.awaited).as("rows awaited, " + shape).isBetween(0, h);
        }
    }

    @Test
    void largeDownscaleAcrossParallelChunksEqualsPlainPillow() {
        Random random = new Random(7);
        RgbImage src = randomImage(random, 1203, 901, false);
        byte[] expected = plainPillow(src, 1203, 901, 0, 0, 257, 263, 0, 0, 257, 263);
        assertThat(BicubicResampler.resize(src, 1203, 901, 0, 0, 257, 263, 0, 0, 257, 263).rgb()).isEqualTo(expected);
        for (int claimed : new int[] {0, 100, 600}) {
            RgbImage arriving = BicubicResampler.resize(SourcePixels.arriving(src, new Arriving(claimed)),
                    1203, 901, 0, 0, 257, 263, 0, 0, 257, 263);
            assertThat(arriving.rgb()).as("decoder through after %d rows", claimed).isEqualTo(expected);
        }
    }

    /** All rows are there, but {@link #available} claims only the first few until they were awaited. */
    private static final class Arriving implements ArrivingRows {
        private final int claimed;
        private int awaited;

        Arriving(int claimed) {
            this.claimed = claimed;
        }

        @Override
        public synchronized void await(int rows) {
            awaited = Math.max(awaited, rows);
        }

        @Override
        public synchronized int available() {
            return awaited >= claimed ? Integer.MAX_VALUE : claimed;
        }
    }

    /** Extremes (0 and 255 next to each other) drive the negative lobes to the clipping limits. */
    private static RgbImage randomImage(Random random, int w, int h, boolean extremes) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (extremes ? (random.nextBoolean() ? 0 : 255) : random.nextInt(256));
        }
        return new RgbImage(w, h, rgb);
    }

    private static byte[] plainPillow(RgbImage src, int canvasW, int canvasH, int offX, int offY,
                                      int outW, int outH, int cropX, int cropY, int cropW, int cropH) {
        int[][] canvas = new int[3][canvasW * canvasH];
        for (int y = 0; y < src.height(); y++) {
            for (int x = 0; x < src.width(); x++) {
                int p = src.pixel(x, y);
                int i = (y + offY) * canvasW + x + offX;
                canvas[0][i] = p >> 16 & 0xff;
                canvas[1][i] = p >> 8 & 0xff;
                canvas[2][i] = p & 0xff;
            }
        }
        Coefficients cx = Coefficients.of(canvasW, outW);
        Coefficients cy = Coefficients.of(canvasH, outH);
        byte[] out = new byte[cropW * cropH * 3];
        for (int c = 0; c < 3; c++) {
            int[] horizontal = new int[outW * canvasH];
            for (int y = 0; y < canvasH; y++) {
                for (int x = 0; x < outW; x++) {
                    int sum = 1 << (BicubicResampler.PRECISION_BITS - 1);
                    for (int k = 0; k < cx.size[x]; k++) {
                        sum += canvas[c][y * canvasW + cx.min[x] + k] * cx.k[x][k];
                    }
                    horizontal[y * outW + x] = BicubicResampler.clip8(sum) & 0xff;
                }
            }
            for (int y = 0; y < cropH; y++) {
                for (int x = 0; x < cropW; x++) {
                    int yy = y + cropY;
                    int sum = 1 << (BicubicResampler.PRECISION_BITS - 1);
                    for (int k = 0; k < cy.size[yy]; k++) {
                        sum += horizontal[(cy.min[yy] + k) * outW + x + cropX] * cy.k[yy][k];
                    }
                    out[(y * cropW + x) * 3 + c] = BicubicResampler.clip8(sum);
                }
            }
        }
        return out;
    }

    /** Pillow's precompute_coeffs + normalize_coeffs_8bpc, without trimming. */
    private record Coefficients(int[] min, int[] size, int[][] k) {
        static Coefficients of(int inSize, int outSize) {
            double scale = (double) (float) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = 2.0 * filterScale;
            int[] min = new int[outSize];
            int[] size = new int[outSize];
            int[][] k = new int[outSize][];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int xmin = Math.max(0, (int) (center - support + 0.5));
                int xmax = Math.min(inSize, (int) (center + support + 0.5)) - xmin;
                double[] w = new double[xmax];
                double ww = 0;
                for (int x = 0; x < xmax; x++) {
                    w[x] = BicubicResampler.bicubic((x + xmin - center + 0.5) / filterScale);
                    ww += w[x];
                }
                k[i] = new int[xmax];
                for (int x = 0; x < xmax; x++) {
                    double n = ww == 0 ? w[x] : w[x] / ww;
                    k[i][x] = (int) (n < 0 ? -0.5 + n * (1 << BicubicResampler.PRECISION_BITS)
                            : 0.5 + n * (1 << BicubicResampler.PRECISION_BITS));
                }
                min[i] = xmin;
                size[i] = xmax;
            }
            return new Coefficients(min, size, k);
        }
    }
}

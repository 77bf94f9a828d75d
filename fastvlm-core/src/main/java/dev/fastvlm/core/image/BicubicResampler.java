package dev.fastvlm.core.image;

import dev.fastvlm.core.image.decode.RgbImage;
import dev.fastvlm.core.image.decode.SourcePixels;
import dev.fastvlm.core.image.decode.StopCheck;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.stream.IntStream;

/**
 * Pillow's 8-bit BICUBIC resize (libImaging/Resample.c), reimplemented so the output bytes are
 * Pillow's: a = -0.5 cubic convolution whose support widens by the scale factor when shrinking,
 * coefficients normalised per output pixel and then rounded to fixed point with 22 fractional
 * bits, a horizontal pass clipped to 8 bits, then a vertical pass.
 *
 * <p>Two generalisations keep memory and time down without changing a single byte:
 * <ul>
 *   <li>The source may sit on a larger black canvas (FastVLM's {@code expand2square}). Canvas
 *       pixels outside the image are zero and contribute nothing to a sum, so each coefficient
 *       window is trimmed to the image instead of materialising the canvas.</li>
 *   <li>Only a window of the resized canvas may be wanted (a centre crop). Every output pixel
 *       depends only on its own coefficients, so only the window is computed.</li>
 * </ul>
 */
final class BicubicResampler {
    /** 8 bits of result, 2 bits of headroom for the filter's negative lobes. */
    static final int PRECISION_BITS = 32 - 8 - 2;
    private static final double SUPPORT = 2.0;
    private static final int ROWS_PER_TASK = 32;
    private static final int HALF = 1 << (PRECISION_BITS - 1);
    private static final long HALF2 = HALF | (long) HALF << 32;
    /** Bytes 0 and 4 of a little-endian long: two 32-bit lanes. */
    private static final long LANES = 0x000000ff_000000ffL;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long PARALLEL_THRESHOLD = 1L << 18;

    private BicubicResampler() {
    }

    /**
     * Resizes a canvas of {@code canvasW x canvasH}, on which {@code src} is placed at
     * ({@code offX}, {@code offY}) over black, to {@code outW x outH}, and returns the window at
     * ({@code cropX}, {@code cropY}) of {@code cropW x cropH} of the result.
     */
    static RgbImage resize(RgbImage src, int canvasW, int canvasH, int offX, int offY,
                           int outW, int outH, int cropX, int cropY, int cropW, int cropH) {
        return resize(SourcePixels.of(src), canvasW, canvasH, offX, offY, outW, outH, cropX, cropY, cropW, cropH);
    }

    /** As above, for pixels that may live outside the Java heap. */
    static RgbImage resize(SourcePixels src, int canvasW, int canvasH, int offX, int offY,
                           int outW, int outH, int cropX, int cropY, int cropW, int cropH) {
        Axis horizontal = Axis.of(canvasW, outW, offX, src.width(), cropX, cropW);
        Axis vertical = Axis.of(canvasH, outH, offY, src.height(), cropY, cropH);
        int firstRow = vertical.firstUsed();
        int rows = vertical.lastUsed() - firstRow;
        byte[] temp = new byte[cropW * rows * 3];
        byte[] out = new byte[cropW * cropH * 3];
        boolean parallel = (long) cropW * rows + (long) src.width() * rows > PARALLEL_THRESHOLD;
        StopCheck stop = StopCheck.ofCurrentRequest();
        int done = 0;
        int from = 0;
        if (src.arriving()) {
            // Rows still arriving from a decoder (on another core) are taken in order as they come,
            // and each output row as soon as its window of rows is through the horizontal pass.
            // Once the decoder is through, the rest is split over both cores as usual.
            for (; from < rows; from += ROWS_PER_TASK) {
                if (parallel && src.availableRows() >= firstRow + rows) {
                    break;
                }
                int to = Math.min(rows, from + ROWS_PER_TASK);
                horizontalPass(src, firstRow, from, to, horizontal, temp, cropW, stop);
                int ready = done;
                while (ready < cropH && vertical.start[ready] + vertical.count[ready] - firstRow <= to) {
                    ready++;
                }
                verticalPass(temp, firstRow, done, ready, vertical, out, cropW, stop);
                done = ready;
            }
        }
        forChunks(from, rows, parallel, (a, b) -> horizontalPass(src, firstRow, a, b, horizontal, temp, cropW, stop));
        forChunks(done, cropH, parallel, (a, b) -> verticalPass(temp, firstRow, a, b, vertical, out, cropW, stop));
        return new RgbImage(cropW, cropH, out);
    }

    /**
     * Integer sums are exact in any grouping, which allows three tricks that do not change a bit:
     * each source row is first widened so that red and green share one {@code long}
     * ({@code r + g * 2^32}) and the blues of two rows share another, so one multiplication by a
     * coefficient sums two channels, whose halves are recovered exactly because each true sum fits
     * in an int, as it does in Pillow; and two rows share each coefficient load.
     */
    private static void horizontalPass(SourcePixels src, int firstRow, int from, int to, Axis axis,
                                       byte[] temp, int outW, StopCheck stop) {
        int x0 = axis.firstUsed();
        int x1 = axis.lastUsed();
        byte[] scratch = src.onHeap() ? null : new byte[src.width() * 3];
        long[] rg0 = new long[x1];
        long[] rg1 = new long[x1];
        long[] bb = new long[x1];
        int yy = from;
        for (; yy + 1 < to; yy += 2) {
            stop.check();
            int y = firstRow + yy;
            src.awaitRows(y + 2);
            widen(src.row(y, scratch), src.rowOffset(y), x0, x1, rg0, bb, false);
            widen(src.row(y + 1, scratch), src.rowOffset(y + 1), x0, x1, rg1, bb, true);
            sumTwoRows(axis, rg0, rg1, bb, temp, yy * outW * 3, outW);
        }
        if (yy < to) {
            int y = firstRow + yy;
            src.awaitRows(y + 1);
            widen(src.row(y, scratch), src.rowOffset(y), x0, x1, rg0, bb, false);
            sumOneRow(axis, rg0, bb, temp, yy * outW * 3, outW);
        }
    }

    /** Source pixels x0..x1 of one row into {@code r + g * 2^32} and the low (or high) half of {@code bb}. */
    private static void widen(byte[] in, int rowStart, int x0, int x1, long[] rg, long[] bb, boolean high) {
        int s = rowStart + x0 * 3;
        if (high) {
            for (int x = x0; x < x1; x++, s += 3) {
                rg[x] = (in[s] & 0xff) | (long) (in[s + 1] & 0xff) << 32;
                bb[x] |= (long) (in[s + 2] & 0xff) << 32;
            }
        } else {
            for (int x = x0; x < x1; x++, s += 3) {
                rg[x] = (in[s] & 0xff) | (long) (in[s + 1] & 0xff) << 32;
                bb[x] = in[s + 2] & 0xff;
            }
        }
    }

    private static void sumTwoRows(Axis axis, long[] rg0, long[] rg1, long[] bb, byte[] temp, int d, int outW) {
        int[] kk = axis.coefficients;
        int stride = axis.ksize;
        int d2 = d + outW * 3;
        for (int xx = 0; xx < outW; xx++, d += 3, d2 += 3) {
            int x = axis.start[xx];
            int k = xx * stride + axis.skip[xx];
            int end = k + axis.count[xx];
            long a0 = HALF2;
            long a1 = HALF2;
            long ab = HALF2;
            for (; k < end; k++, x++) {
                long c = kk[k];
                a0 += rg0[x] * c;
                a1 += rg1[x] * c;
                ab += bb[x] * c;
            }
            int r0 = (int) a0;
            int r1 = (int) a1;
            int b0 = (int) ab;
            temp[d] = clip8(r0);
            temp[d + 1] = clip8((int) ((a0 - r0) >> 32));
            temp[d + 2] = clip8(b0);
            temp[d2] = clip8(r1);
            temp[d2 + 1] = clip8((int) ((a1 - r1) >> 32));
            temp[d2 + 2] = clip8((int) ((ab - b0) >> 32));
        }
    }

    private static void sumOneRow(Axis axis, long[] rg, long[] bb, byte[] temp, int d, int outW) {
        int[] kk = axis.coefficients;
        int stride = axis.ksize;
        for (int xx = 0; xx < outW; xx++, d += 3) {
            int x = axis.start[xx];
            int k = xx * stride + axis.skip[xx];
            int end = k + axis.count[xx];
            long a = HALF2;
            long ab = HALF2;
            for (; k < end; k++, x++) {
                long c = kk[k];
                a += rg[x] * c;
                ab += bb[x] * c;
            }
            int r = (int) a;
            temp[d] = clip8(r);
            temp[d + 1] = clip8((int) ((a - r) >> 32));
            temp[d + 2] = clip8((int) ab);
        }
    }

    /**
     * Eight bytes of a row at a time: a {@code long} load holds bytes 0..7, and masking out bytes
     * i and i + 4 gives two 32-bit lanes that one multiplication scales together (as in the
     * horizontal pass, each lane's sum fits in an int, so both are recovered exactly). The
     * coefficients stay in registers while the loop runs down the column of source rows.
     */
    private static void verticalPass(byte[] temp, int firstRow, int from, int to, Axis axis,
                                     byte[] out, int width, StopCheck stop) {
        int rowBytes = width * 3;
        int blocks = rowBytes & ~7;
        int[] kk = axis.coefficients;
        for (int yy = from; yy < to; yy++) {
            stop.check();
            int k0 = yy * axis.ksize + axis.skip[yy];
            int n = axis.count[yy];
            int base0 = (axis.start[yy] - firstRow) * rowBytes;
            int d = yy * rowBytes;
            for (int i = 0; i < blocks; i += 8) {
                long a0 = HALF2;
                long a1 = HALF2;
                long a2 = HALF2;
                long a3 = HALF2;
                for (int j = 0, s = base0 + i; j < n; j++, s += rowBytes) {
                    long c = kk[k0 + j];
                    long v = (long) LONGS.get(temp, s);
                    a0 += (v & LANES) * c;
                    a1 += (v >>> 8 & LANES) * c;
                    a2 += (v >>> 16 & LANES) * c;
                    a3 += (v >>> 24 & LANES) * c;
                }
                int l0 = (int) a0;
                int l1 = (int) a1;
                int l2 = (int) a2;
                int l3 = (int) a3;
                int low = clip8Int(l0) | clip8Int(l1) << 8 | clip8Int(l2) << 16 | clip8Int(l3) << 24;
                int high = clip8Int((int) ((a0 - l0) >> 32)) | clip8Int((int) ((a1 - l1) >> 32)) << 8
                        | clip8Int((int) ((a2 - l2) >> 32)) << 16 | clip8Int((int) ((a3 - l3) >> 32)) << 24;
                long packed = low & 0xffff_ffffL | (long) high << 32;
                LONGS.set(out, d + i, packed);
            }
            for (int i = blocks; i < rowBytes; i++) {
                int acc = HALF;
                for (int j = 0, s = base0 + i; j < n; j++, s += rowBytes) {
                    acc += (temp[s] & 0xff) * kk[k0 + j];
                }
                out[d + i] = clip8(acc);
            }
        }
    }

    /** {@link #clip8} as an int in 0..255, for packing. */
    private static int clip8Int(int sum) {
        int v = sum >> PRECISION_BITS;
        return v < 0 ? 0 : Math.min(v, 255);
    }

    /** Pillow's clip8: the integer part of the fixed-point sum, clamped to 0..255. */
    static byte clip8(int sum) {
        int v = sum >> PRECISION_BITS;
        return (byte) (v < 0 ? 0 : Math.min(v, 255));
    }

    /** Pillow's bicubic kernel with a = -0.5. */
    static double bicubic(double x) {
        double a = -0.5;
        if (x < 0.0) {
            x = -x;
        }
        if (x < 1.0) {
            return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
        }
        if (x < 2.0) {
            return (((x - 5) * x + 8) * x - 4) * a;
        }
        return 0.0;
    }

    private interface Chunk {
        void run(int from, int to);
    }

    private static void forChunks(int first, int end, boolean parallel, Chunk chunk) {
        int tasks = (end - first + ROWS_PER_TASK - 1) / ROWS_PER_TASK;
        IntStream range = IntStream.range(0, tasks);
        (parallel ? range.parallel() : range).forEach(t ->
                chunk.run(first + t * ROWS_PER_TASK, Math.min(end, first + (t + 1) * ROWS_PER_TASK)));
    }

    /**
     * Fixed-point coefficients along one axis for the wanted output window, with each window
     * trimmed to the pixels of the image on the canvas. For output {@code i}: image pixels
     * {@code start[i] .. start[i] + count[i]} use coefficients
     * {@code coefficients[i * ksize + skip[i] ...]}.
     */
    static final class Axis {
        final int ksize;
        final int[] coefficients;
        final int[] start;
        final int[] skip;
        final int[] count;

        private Axis(int ksize, int outputs) {
            this.ksize = ksize;
            this.coefficients = new int[outputs * ksize];
            this.start = new int[outputs];
            this.skip = new int[outputs];
            this.count = new int[outputs];
        }

        /** Mirrors Pillow's precompute_coeffs and normalize_coeffs_8bpc for box (0, canvasSize). */
        static Axis of(int canvasSize, int outSize, int imageOffset, int imageSize, int first, int outputs) {
            // Pillow passes the box edges as C floats; (float) canvasSize - 0 is exact below 2^24.
            double scale = (double) (float) canvasSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            int ksize = (int) Math.ceil(support) * 2 + 1;
            Axis axis = new Axis(ksize, outputs);
            double[] weights = new double[ksize];
            for (int i = 0; i < outputs; i++) {
                int xx = first + i;
                double center = (xx + 0.5) * scale;
                double ww = 0.0;
                double ss = 1.0 / filterScale;
                int xmin = (int) (center - support + 0.5);
                if (xmin < 0) {
                    xmin = 0;
                }
                int xmax = (int) (center + support + 0.5);
                if (xmax > canvasSize) {
                    xmax = canvasSize;
                }
                xmax -= xmin;
                for (int x = 0; x < xmax; x++) {
                    double w = bicubic((x + xmin - center + 0.5) * ss);
                    weights[x] = w;
                    ww += w;
                }
                for (int x = 0; x < xmax; x++) {
                    if (ww != 0.0) {
                        weights[x] /= ww;
                    }
                    double scaled = weights[x] * (1 << PRECISION_BITS);
                    axis.coefficients[i * ksize + x] = (int) (weights[x] < 0 ? -0.5 + scaled : 0.5 + scaled);
                }
                int from = Math.max(xmin, imageOffset);
                int to = Math.min(xmin + xmax, imageOffset + imageSize);
                axis.start[i] = from - imageOffset;
                axis.skip[i] = from - xmin;
                axis.count[i] = Math.max(0, to - from);
            }
            return axis;
        }

        /** First image pixel any output reads. */
        int firstUsed() {
            int min = Integer.MAX_VALUE;
            for (int i = 0; i < count.length; i++) {
                if (count[i] > 0) {
                    min = Math.min(min, start[i]);
                }
            }
            return min == Integer.MAX_VALUE ? 0 : min;
        }

        /** One past the last image pixel any output reads. */
        int lastUsed() {
            int max = 0;
            for (int i = 0; i < count.length; i++) {
                if (count[i] > 0) {
                    max = Math.max(max, start[i] + count[i]);
                }
            }
            return Math.max(max, firstUsed());
        }
    }
}

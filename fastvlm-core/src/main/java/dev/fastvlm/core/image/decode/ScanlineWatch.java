package dev.fastvlm.core.image.decode;

import dev.fastvlm.core.DesktopOnly;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import dev.fastvlm.CancelledException;

import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;

/**
 * Follows a running {@code tjDecompress2} by reading libjpeg's {@code output_scanline} from the
 * TurboJPEG handle: libjpeg-turbo writes rows top to bottom and advances that counter after each
 * batch is complete, so the rows above it can be resampled while the rest decode. TurboJPEG 2.x
 * has no call that returns part of an image, and libjpeg's own scanline API cannot be used safely
 * from Java (its error handler must {@code longjmp}).
 *
 * <p>The counter's place is libjpeg's ABI (version 6.2, which Debian's libturbojpeg0 and PIL's
 * libjpeg62-turbo use) on 64-bit Linux: the handle is TurboJPEG's instance, a
 * {@code jpeg_compress_struct} (520 bytes) followed by the {@code jpeg_decompress_struct}. Before
 * following a handle, {@link #canFollow} checks that the fields around it hold what this image's
 * header says they must (decompressor flag, width, height, no row yet), so a library with any other
 * layout is simply decoded in one call. x86-64 only: its stores become visible in program order,
 * so rows are written before the counter that announces them is seen.
 */
@DesktopOnly("ImageIO's progress listener")
final class ScanlineWatch implements ArrivingRows {
    private static final long DECOMPRESS_STRUCT = 520;
    private static final long IS_DECOMPRESSOR = DECOMPRESS_STRUCT + 32;
    private static final long IMAGE_WIDTH = DECOMPRESS_STRUCT + 48;
    private static final long IMAGE_HEIGHT = DECOMPRESS_STRUCT + 52;
    private static final long OUTPUT_SCANLINE = DECOMPRESS_STRUCT + 168;
    private static final long POLL_NANOS = 20_000;
    private static final boolean PLATFORM = Native.POINTER_SIZE == 8
            && System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")
            && System.getProperty("os.arch", "").matches("amd64|x86_64");

    private final Pointer handle;
    private volatile boolean finished;
    private volatile Throwable failure;

    ScanlineWatch(Pointer handle) {
        this.handle = handle;
    }

    /** Whether {@code handle}, after {@code tjDecompressHeader3} of a {@code w x h} image, has the known layout. */
    static boolean canFollow(Pointer handle, int w, int h) {
        return PLATFORM
                && handle.getInt(32) == 0 // the compressor half, unused, is zeroed by tjInitDecompress
                && handle.getInt(IS_DECOMPRESSOR) == 1
                && handle.getInt(IMAGE_WIDTH) == w
                && handle.getInt(IMAGE_HEIGHT) == h
                && handle.getInt(OUTPUT_SCANLINE) == 0;
    }

    /** Called by the decoding thread when {@code tjDecompress2} succeeded. */
    void finished() {
        finished = true;
    }

    /** Called by the decoding thread when it failed. */
    void fail(Throwable t) {
        failure = t;
    }

    @Override
    public int available() {
        if (finished) {
            return Integer.MAX_VALUE;
        }
        int rows = handle.getInt(OUTPUT_SCANLINE);
        VarHandle.acquireFence();
        return rows;
    }

    @Override
    public void await(int rows) {
        while (true) {
            Throwable t = failure;
            if (t instanceof RuntimeException e) {
                throw e;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException("JPEG decoding failed", t);
            }
            if (finished) {
                return;
            }
            if (handle.getInt(OUTPUT_SCANLINE) >= rows) {
                VarHandle.acquireFence();
                return;
            }
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.currentThread().isInterrupted()) {
                throw new CancelledException("interrupted while waiting for the image to decode");
            }
        }
    }
}

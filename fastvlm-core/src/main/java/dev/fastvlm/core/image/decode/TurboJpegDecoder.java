package dev.fastvlm.core.image.decode;

import dev.fastvlm.core.DesktopOnly;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import dev.fastvlm.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Function;

/**
 * Decodes JPEG with libjpeg-turbo's TurboJPEG API, the library PIL itself decodes JPEG with, using
 * PIL's settings (accurate integer IDCT, fancy upsampling), so the pixels are PIL's exactly.
 * CMYK/YCCK files are decoded to raw CMYK and converted with PIL's formula.
 */
@DesktopOnly("libjpeg-turbo through JNA: a desktop library")
final class TurboJpegDecoder implements ImageDecoder {
    static final TurboJpegDecoder INSTANCE = new TurboJpegDecoder();
    private static final Logger LOG = LoggerFactory.getLogger(TurboJpegDecoder.class);

    private static final int TJPF_RGB = 0;
    private static final int TJPF_CMYK = 11;
    private static final int TJCS_CMYK = 3;
    private static final int TJCS_YCCK = 4;
    private static final int TJERR_WARNING = 0;

    private TurboJpegDecoder() {
    }

    static boolean available() {
        return Holder.LIBRARY != null;
    }

    @Override
    public RgbImage decode(byte[] encoded, String name, long maxPixels) {
        return decode(encoded, name, maxPixels, (tj, handle, source, w, h, cmyk) ->
                decompress(tj, handle, source, w, h, cmyk, name, pixels ->
                        cmyk ? fromCmyk(pixels, w, h) : new RgbImage(w, h, pixels.getByteArray(0, w * h * 3))));
    }

    /**
     * Decodes and hands the pixels to {@code use} where libjpeg-turbo writes them, outside the
     * heap, instead of copying them into an array first; they are freed when {@code use} returns.
     * Where the decoder's progress can be followed ({@link ScanlineWatch}), libjpeg-turbo runs on a
     * pool thread and {@code use} reads each row as soon as it is written.
     */
    <T> T decodeThen(byte[] encoded, String name, long maxPixels, StandardDecoder.RowsNeeded reads,
                     Function<SourcePixels, T> use) {
        return decode(encoded, name, maxPixels, (tj, handle, source, w, h, cmyk) -> {
            if (!cmyk && DecodeThreads.worthIt(w, h, reads) && ScanlineWatch.canFollow(handle, w, h)) {
                return whileDecoding(tj, handle, source, w, h, name, use);
            }
            return decompress(tj, handle, source, w, h, cmyk, name, pixels -> use.apply(cmyk
                    ? SourcePixels.of(fromCmyk(pixels, w, h))
                    : SourcePixels.of(w, h, pixels.getByteBuffer(0, (long) w * h * 3))));
        });
    }

    private interface Decompression<T> {
        T decode(TurboJpeg tj, Pointer handle, Memory source, int width, int height, boolean cmyk);
    }

    /** Reads the header (rejecting corrupt and oversized images) and hands over to {@code decompression}. */
    private <T> T decode(byte[] encoded, String name, long maxPixels, Decompression<T> decompression) {
        TurboJpeg tj = Holder.LIBRARY;
        if (tj == null) {
            throw new IllegalStateException("libturbojpeg is not available");
        }
        Pointer handle = tj.tjInitDecompress();
        if (handle == null) {
            throw new IllegalStateException("tjInitDecompress failed: " + tj.tjGetErrorStr2(null));
        }
        try (Memory source = new Memory(encoded.length)) {
            source.write(0, encoded, 0, encoded.length);
            NativeLong size = new NativeLong(encoded.length);
            IntByReference width = new IntByReference();
            IntByReference height = new IntByReference();
            IntByReference subsampling = new IntByReference();
            IntByReference colorspace = new IntByReference();
            if (tj.tjDecompressHeader3(handle, source, size, width, height, subsampling, colorspace) != 0) {
                throw new InvalidInputException(name + ": corrupt JPEG header (" + tj.tjGetErrorStr2(handle) + ")");
            }
            int w = width.getValue();
            int h = height.getValue();
            Decoding.checkPixels(name, w, h, maxPixels);
            boolean cmyk = colorspace.getValue() == TJCS_CMYK || colorspace.getValue() == TJCS_YCCK;
            return decompression.decode(tj, handle, source, w, h, cmyk);
        } finally {
            tj.tjDestroy(handle);
        }
    }

    /** The whole image in one call on this thread, then {@code use}. */
    private static <T> T decompress(TurboJpeg tj, Pointer handle, Memory source, int w, int h, boolean cmyk,
                                    String name, Function<Memory, T> use) {
        int channels = cmyk ? 4 : 3;
        try (NativePixelBuffer buffer = NativePixelBuffer.borrow((long) w * h * channels)) {
            Memory pixels = buffer.memory();
            check(tj, handle, name, tj.tjDecompress2(handle, source, new NativeLong(source.size()), pixels, w,
                    w * channels, h, cmyk ? TJPF_CMYK : TJPF_RGB, 0));
            return use.apply(pixels);
        }
    }

    /** libjpeg-turbo on a pool thread while {@code use} reads the rows it has finished. */
    private static <T> T whileDecoding(TurboJpeg tj, Pointer handle, Memory source, int w, int h, String name,
                                       Function<SourcePixels, T> use) {
        ScanlineWatch watch = new ScanlineWatch(handle);
        try (NativePixelBuffer buffer = NativePixelBuffer.borrow((long) w * h * 3)) {
            Memory pixels = buffer.memory();
            Future<?> decoding = DecodeThreads.POOL.submit(() -> {
                try {
                    check(tj, handle, name, tj.tjDecompress2(handle, source, new NativeLong(source.size()), pixels,
                            w, w * 3, h, TJPF_RGB, 0));
                    watch.finished();
                } catch (Throwable t) {
                    watch.fail(t);
                }
            });
            T result;
            try {
                result = use.apply(SourcePixels.of(w, h, pixels.getByteBuffer(0, (long) w * h * 3), watch));
            } finally {
                // libjpeg-turbo writes into pixels and uses the handle until it returns.
                awaitUninterruptibly(decoding);
            }
            // Rows all read does not mean all is well: a cut file is only reported at the end.
            watch.await(h);
            return result;
        }
    }

    private static void awaitUninterruptibly(Future<?> task) {
        boolean interrupted = false;
        while (true) {
            try {
                task.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                break; // the task reports its failures through the watch
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Must run on the thread that called {@code tjDecompress2}: TurboJPEG keeps some messages per thread. */
    private static void check(TurboJpeg tj, Pointer handle, String name, int status) {
        if (status != 0) {
            String message = tj.tjGetErrorStr2(handle);
            boolean warning = tj.tjGetErrorCode(handle) == TJERR_WARNING;
            if (!warning || Decoding.isTruncationWarning(message)) {
                throw new InvalidInputException(name + ": truncated or corrupt JPEG data (" + message + ")");
            }
            // PIL ignores libjpeg's recoverable warnings (extraneous bytes and the like) too.
            LOG.debug("{}: libjpeg warning: {}", name, message);
        }
    }

    /** PIL reads every 4-component JPEG as Adobe-style inverted CMYK ("CMYK;I"). */
    private static RgbImage fromCmyk(Memory pixels, int w, int h) {
        byte[] rgb = new byte[w * h * 3];
        byte[] row = new byte[w * 4];
        for (int y = 0; y < h; y++) {
            pixels.read((long) y * w * 4, row, 0, row.length);
            for (int i = 0; i < row.length; i++) {
                row[i] = (byte) ~row[i];
            }
            PilConversions.cmykToRgb(row, 0, rgb, y * w * 3, w);
        }
        return new RgbImage(w, h, rgb);
    }

    /** The subset of TurboJPEG 2.x used here. */
    interface TurboJpeg extends Library {
        Pointer tjInitDecompress();

        int tjDecompressHeader3(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, IntByReference width,
                                IntByReference height, IntByReference subsamp, IntByReference colorspace);

        int tjDecompress2(Pointer handle, Pointer jpegBuf, NativeLong jpegSize, Pointer dstBuf, int width,
                          int pitch, int height, int pixelFormat, int flags);

        String tjGetErrorStr2(Pointer handle);

        int tjGetErrorCode(Pointer handle);

        int tjDestroy(Pointer handle);
    }

    /** Loads the library once; absent (null) where the system has no libturbojpeg. */
    private static final class Holder {
        static final TurboJpeg LIBRARY = load();

        private static TurboJpeg load() {
            for (String name : new String[] {"turbojpeg", "libturbojpeg.so.0"}) {
                try {
                    return Native.load(name, TurboJpeg.class);
                } catch (LinkageError e) {
                    LOG.debug("cannot load {}: {}", name, e.getMessage());
                }
            }
            LOG.info("libturbojpeg not found; JPEG is decoded with ImageIO (pixels may differ slightly from PIL's)");
            return null;
        }
    }
}

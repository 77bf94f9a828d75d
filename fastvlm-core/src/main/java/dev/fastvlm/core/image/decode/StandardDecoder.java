package dev.fastvlm.core.image.decode;

import java.util.function.Function;

/**
 * The built-in decoder ({@link ImageDecoder#standard()}): libjpeg-turbo for JPEG where available,
 * the project's {@code PngDecoder} for common PNGs, ImageIO for the rest. Beyond {@link #decode},
 * it hands the preprocessor rows while they are being decoded ({@link #decodeThen},
 * {@link #pngArriving}).
 */
public final class StandardDecoder implements ImageDecoder {
    static final StandardDecoder INSTANCE = new StandardDecoder();

    private StandardDecoder() {
    }

    /**
     * Whether a consumer reads the rows of an image (rather than keeping it whole), so that
     * decoding it on another thread while the consumer reads pays.
     */
    @FunctionalInterface
    public interface RowsNeeded {
        /**
         * Whether the consumer reads the rows of a {@code width x height} image.
         *
         * @param width  pixels per row
         * @param height rows
         * @return {@code true} when it reads them one by one
         */
        boolean test(int width, int height);
    }

    @Override
    public RgbImage decode(byte[] encoded, String name, long maxPixels) {
        ImageFormat format = Decoding.checkSupported(encoded, name);
        if (format == ImageFormat.JPEG && TurboJpegDecoder.available()) {
            return TurboJpegDecoder.INSTANCE.decode(encoded, name, maxPixels);
        }
        if (format == ImageFormat.PNG) {
            PngDecoder png = PngDecoder.open(encoded, name, maxPixels);
            if (png != null) {
                return decode(png);
            }
        }
        return ImageIoDecoder.INSTANCE.decode(encoded, name, maxPixels);
    }

    private static RgbImage decode(PngDecoder png) {
        byte[] rgb = new byte[png.width() * png.height() * 3];
        StopCheck stop = StopCheck.ofCurrentRequest();
        png.decode(rgb, rows -> {
            stop.check();
            return true;
        });
        return new RgbImage(png.width(), png.height(), rgb);
    }

    /**
     * Decodes on a pool thread while {@code use} (the resampler) consumes rows as they arrive, so
     * the decode overlaps the resampling; for RGB, the most common kind, only the inflating runs
     * there, and each row is unfiltered on the consumer's thread as it is first read.
     */
    private static <T> T whileDecoding(PngDecoder png, Function<SourcePixels, T> use) {
        if (png.channels() == 3) {
            PngRows rows = PngRows.startInflating(png);
            try {
                T result = use.apply(rows.pixels());
                rows.await(png.height());
                return result;
            } finally {
                rows.cancel();
            }
        }
        RgbImage image = new RgbImage(png.width(), png.height(), new byte[png.width() * png.height() * 3]);
        RowGate gate = startDecoding(png, image.rgb());
        try {
            T result = use.apply(SourcePixels.arriving(image, gate));
            // A window or an early error may leave rows unread; the whole file must still decode.
            gate.await(png.height());
            return result;
        } finally {
            gate.cancel();
        }
    }

    /** Starts decoding {@code png} into {@code rgb} on a pool thread; the gate says how far it has got. */
    static RowGate startDecoding(PngDecoder png, byte[] rgb) {
        RowGate gate = new RowGate();
        DecodeThreads.POOL.execute(() -> {
            try {
                png.decode(rgb, gate);
            } catch (Throwable t) {
                gate.fail(t);
            }
        });
        return gate;
    }

    /**
     * A PNG of exactly {@code width x height} that the project's decoder reads, returned as soon as
     * its header is checked, with its rows decoded on a pool thread: the three-channel kind
     * inflated there and unfiltered on the reading thread as each row is first awaited
     * ({@code PngRows}), the others decoded whole there ({@code RowGate}).
     *
     * @param encoded   the whole encoded file
     * @param name      the file or caller-given name, for messages
     * @param maxPixels the decompression-bomb limit, width times height
     * @param width     the width the caller wants
     * @param height    the height the caller wants
     * @return the arriving pixels (on the heap, possibly at a stride), or null when {@code encoded}
     *     is not such a PNG
     * @throws dev.fastvlm.InvalidInputException when the data is not a supported image or its PNG
     *     header is corrupt or too large
     */
    public static SourcePixels pngArriving(byte[] encoded, String name, long maxPixels, int width, int height) {
        if (Decoding.checkSupported(encoded, name) != ImageFormat.PNG) {
            return null;
        }
        PngDecoder png = PngDecoder.open(encoded, name, maxPixels);
        if (png == null || png.width() != width || png.height() != height) {
            return null;
        }
        if (png.channels() == 3) {
            // A pool thread inflates; the reading thread unfilters each row as it takes it.
            PngRows rows = PngRows.startInflating(png);
            return SourcePixels.strided(width, height, rows.raw(), 1, png.filteredRowBytes(), rows);
        }
        byte[] rgb = new byte[width * height * 3];
        return SourcePixels.strided(width, height, rgb, 0, width * 3, startDecoding(png, rgb));
    }

    /**
     * Loads the native JPEG library (libjpeg-turbo through JNA, tens of ms in a fresh JVM) on a decode
     * thread now, so that a first JPEG does not wait for it on the calling thread: for a one-shot
     * caller that builds its instance and then decodes at once. Does nothing more than that load.
     */
    public static void loadJpegLibraryAhead() {
        DecodeThreads.POOL.execute(TurboJpegDecoder::available);
    }

    /**
     * Decodes and hands the pixels to {@code use}, JPEG without copying them into the heap first,
     * and large JPEG and PNG images while they are decoded if {@code reads} says {@code use} will
     * read their rows.
     *
     * @param <T>       what {@code use} makes of the pixels
     * @param encoded   the whole encoded file
     * @param name      the file or caller-given name, for messages
     * @param maxPixels the decompression-bomb limit, width times height
     * @param reads     whether {@code use} reads the rows of an image of a given size
     * @param use       the consumer of the pixels, called once on the calling thread
     * @return what {@code use} returned
     * @throws dev.fastvlm.InvalidInputException when the data cannot be decoded or the image has more than
     *     {@code maxPixels} pixels
     */
    public static <T> T decodeThen(byte[] encoded, String name, long maxPixels, RowsNeeded reads,
                                   Function<SourcePixels, T> use) {
        ImageFormat format = Decoding.checkSupported(encoded, name);
        if (format == ImageFormat.JPEG && TurboJpegDecoder.available()) {
            return TurboJpegDecoder.INSTANCE.decodeThen(encoded, name, maxPixels, reads, use);
        }
        if (format == ImageFormat.PNG) {
            PngDecoder png = PngDecoder.open(encoded, name, maxPixels);
            if (png != null && DecodeThreads.worthIt(png.width(), png.height(), reads)) {
                return whileDecoding(png, use);
            }
            if (png != null) {
                return use.apply(SourcePixels.of(decode(png)));
            }
        }
        return use.apply(SourcePixels.of(ImageIoDecoder.INSTANCE.decode(encoded, name, maxPixels)));
    }
}

package dev.fastvlm.core.image;

import java.util.function.Function;

/** libjpeg-turbo for JPEG where available, {@link PngDecoder} for common PNGs, ImageIO for the rest. */
final class StandardDecoder implements ImageDecoder {
    static final StandardDecoder INSTANCE = new StandardDecoder();

    private StandardDecoder() {
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
     * Decodes and hands the pixels to {@code use}, JPEG without copying them into the heap first,
     * and large JPEG and PNG images while they are decoded if {@code reads} says {@code use} will
     * read their rows.
     */
    <T> T decodeThen(byte[] encoded, String name, long maxPixels, DecodeThreads.RowsNeeded reads,
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

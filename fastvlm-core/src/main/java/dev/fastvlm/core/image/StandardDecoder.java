package dev.fastvlm.core.image;

import java.util.function.Function;

/** libjpeg-turbo for JPEG where available, ImageIO for the rest. */
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
        return ImageIoDecoder.INSTANCE.decode(encoded, name, maxPixels);
    }

    /** Decodes and hands the pixels to {@code use}, JPEG without copying them into the heap first. */
    <T> T decodeThen(byte[] encoded, String name, long maxPixels, Function<SourcePixels, T> use) {
        ImageFormat format = Decoding.checkSupported(encoded, name);
        if (format == ImageFormat.JPEG && TurboJpegDecoder.available()) {
            return TurboJpegDecoder.INSTANCE.decodeThen(encoded, name, maxPixels, use);
        }
        return use.apply(SourcePixels.of(ImageIoDecoder.INSTANCE.decode(encoded, name, maxPixels)));
    }
}

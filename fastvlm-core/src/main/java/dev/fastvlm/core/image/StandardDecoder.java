package dev.fastvlm.core.image;

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
}

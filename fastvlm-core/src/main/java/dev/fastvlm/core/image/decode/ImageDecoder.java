package dev.fastvlm.core.image.decode;

/**
 * Turns encoded image bytes into RGB pixels with the semantics of PIL's
 * {@code Image.open(f).convert("RGB")}. Implementations read the image size from the header and
 * reject images larger than {@code maxPixels} before any pixel is decoded, and throw
 * {@link dev.fastvlm.InvalidInputException} (naming {@code name}) for data they cannot decode;
 * they never return partially decoded pixels.
 *
 * <p>A platform without ImageIO (Android) supplies its own decoder, or hands the preprocessor
 * pixels directly through {@link dev.fastvlm.ImageInput#ofRgb}.
 */
@FunctionalInterface
public interface ImageDecoder {

    /**
     * Decodes one image.
     *
     * @param encoded   the whole encoded file
     * @param name      the file or caller-given name, for messages
     * @param maxPixels the decompression-bomb limit, width times height
     * @return the pixels, converted to RGB as PIL's {@code convert("RGB")} does
     * @throws dev.fastvlm.InvalidInputException when the data cannot be decoded or the image has more than
     *     {@code maxPixels} pixels
     */
    RgbImage decode(byte[] encoded, String name, long maxPixels);

    /**
     * libjpeg-turbo (PIL's own JPEG decoder) for JPEG when the system has {@code libturbojpeg},
     * the project's own decoder for 8-bit non-interlaced grey, grey+alpha, RGB and RGBA PNG, and
     * ImageIO with the TwelveMonkeys plugins for everything else. With this decoder,
     * {@link dev.fastvlm.core.image.ImagePreprocessor#preprocess} resamples large images while they are being decoded.
     *
     * @return the decoder {@link dev.fastvlm.core.image.ImagePreprocessor} uses by default
     */
    static ImageDecoder standard() {
        return StandardDecoder.INSTANCE;
    }

    /**
     * ImageIO (JDK + TwelveMonkeys plugins) for every format, including JPEG.
     *
     * @return a decoder that needs nothing outside the JVM
     */
    static ImageDecoder imageIo() {
        return ImageIoDecoder.INSTANCE;
    }

    /**
     * Whether {@link #standard()} decodes JPEG with libjpeg-turbo on this machine.
     *
     * @return {@code true} when {@code libturbojpeg} was found and loaded
     */
    static boolean turboJpegAvailable() {
        return TurboJpegDecoder.available();
    }
}

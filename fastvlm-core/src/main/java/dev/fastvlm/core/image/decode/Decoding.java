package dev.fastvlm.core.image.decode;

import dev.fastvlm.InvalidInputException;

import java.util.Locale;

/** Checks every decoder makes before it touches pixel data. */
public final class Decoding {
    /** Decoded CMYK (4 bytes a pixel) must fit in one array. */
    private static final long MAX_ARRAY_PIXELS = (Integer.MAX_VALUE - 8) / 4;

    private Decoding() {
    }

    static ImageFormat checkSupported(byte[] encoded, String name) {
        if (encoded.length == 0) {
            throw new InvalidInputException(name + ": the image file is empty");
        }
        ImageFormat format = ImageFormat.sniff(encoded);
        if (format == ImageFormat.UNKNOWN) {
            throw new InvalidInputException(name + ": not an image (unrecognised content, "
                    + encoded.length + " bytes)");
        }
        if (!format.supported()) {
            throw new InvalidInputException(name + ": unsupported image format " + format.displayName()
                    + " (supported: JPEG, PNG, GIF, BMP, TIFF, WebP)");
        }
        return format;
    }

    /**
     * Checks an image's size before any pixel is decoded or copied.
     *
     * @param name      the file or caller-given name, for messages
     * @param width     pixels per row, from the header
     * @param height    rows, from the header
     * @param maxPixels the decompression-bomb limit, width times height
     * @throws InvalidInputException when a size is not positive, the image has more than
     *     {@code maxPixels} pixels, or it would not fit in one Java array
     */
    public static void checkPixels(String name, int width, int height, long maxPixels) {
        if (width <= 0 || height <= 0) {
            throw new InvalidInputException(name + ": corrupt header, image size " + width + "x" + height);
        }
        long pixels = (long) width * height;
        if (pixels > maxPixels) {
            throw new InvalidInputException(name + ": image of " + width + "x" + height + " = " + pixels
                    + " pixels exceeds the limit of " + maxPixels + " pixels (decompression bomb guard)");
        }
        if (pixels > MAX_ARRAY_PIXELS) {
            throw new InvalidInputException(name + ": image of " + width + "x" + height
                    + " is too large to decode into one Java array");
        }
    }

    /**
     * Whether a decoder warning means the data ended early (libjpeg's "Premature end of JPEG file",
     * "premature end of data segment", the JDK's "Truncated File"): decoders then pad with grey.
     * Other warnings (extraneous bytes and the like) are tolerated, as PIL tolerates them.
     */
    static boolean isTruncationWarning(String message) {
        String m = message.toLowerCase(Locale.ROOT);
        return m.contains("premature end") || m.contains("truncat");
    }
}

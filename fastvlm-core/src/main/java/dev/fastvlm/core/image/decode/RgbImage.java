package dev.fastvlm.core.image.decode;

import dev.fastvlm.InvalidInputException;

/**
 * Decoded 8-bit RGB pixels, interleaved and row-major: the state of an image after PIL's
 * {@code convert("RGB")}. The array is shared, not copied.
 *
 * @param width  pixels per row, &gt; 0
 * @param height rows, &gt; 0
 * @param rgb    {@code width * height * 3} bytes
 */
public record RgbImage(int width, int height, byte[] rgb) {
    /**
     * Checks the sizes against the array.
     *
     * @param width pixels per row, &gt; 0
     * @param height rows, &gt; 0
     * @param rgb {@code width * height * 3} bytes
     * @throws dev.fastvlm.InvalidInputException when a size is not positive or the array is null or of another length
     */
    public RgbImage {
        if (width <= 0 || height <= 0 || rgb == null || (long) width * height * 3 != rgb.length) {
            throw new InvalidInputException("RGB pixels of " + width + "x" + height + " need "
                    + (long) width * height * 3 + " bytes, got " + (rgb == null ? "none" : rgb.length));
        }
    }

    /**
     * Red, green and blue of pixel (x, y), packed as {@code 0xRRGGBB}; for tests and diagnostics.
     *
     * @param x the column, from 0
     * @param y the row, from 0
     * @return the pixel's colour as {@code 0xRRGGBB}
     */
    public int pixel(int x, int y) {
        int i = (y * width + x) * 3;
        return (rgb[i] & 0xff) << 16 | (rgb[i + 1] & 0xff) << 8 | rgb[i + 2] & 0xff;
    }
}

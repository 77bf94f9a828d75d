package dev.fastvlm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * An image to describe: a file, encoded bytes (JPEG, PNG, ...), or pixels that the caller already
 * decoded (an Android {@code Bitmap}'s pixels, which need no ImageIO).
 */
public sealed interface ImageInput {

    /**
     * An image file on the host.
     *
     * @param file the image file; read and decoded (JPEG, PNG, or any format ImageIO reads) when the request runs
     * @return the input, not yet read
     * @throws InvalidConfigurationException when {@code file} is null
     */
    static ImageInput of(Path file) {
        return new File(file);
    }

    /**
     * Encoded image bytes; {@code name} appears in error messages. The array is not copied.
     *
     * @param encoded the image file's bytes, for example a JPEG or PNG
     * @param name shown in error messages; {@code null} for a name made of the byte count
     * @return the input, not yet decoded
     * @throws InvalidConfigurationException when {@code encoded} is null
     */
    static ImageInput of(byte[] encoded, String name) {
        return new Encoded(encoded, name);
    }

    /**
     * Reads the whole stream (it is not closed) as an encoded image.
     *
     * @param stream read to its end here, on the calling thread
     * @param name shown in error messages; {@code null} for a name made of the byte count
     * @return the input holding the stream's bytes, not yet decoded
     * @throws java.io.UncheckedIOException when reading the stream fails
     * @throws InvalidConfigurationException when {@code stream} is null
     */
    static ImageInput of(InputStream stream, String name) {
        Checks.required(stream, "image", "an input stream");
        try {
            return new Encoded(stream.readAllBytes(), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image stream " + name, e);
        }
    }

    /**
     * Interleaved 8-bit RGB pixels, row-major, {@code width * height * 3} bytes. The array is not copied.
     *
     * @param width pixels per row, &gt; 0
     * @param height rows, &gt; 0
     * @param rgb red, green, blue bytes of each pixel in turn, rows top to bottom
     * @return the input, used as it is (no decoding)
     * @throws InvalidConfigurationException when a size is not positive or the array's length is not
     *     {@code width * height * 3}
     */
    static ImageInput ofRgb(int width, int height, byte[] rgb) {
        return new RgbPixels(width, height, rgb);
    }

    /**
     * Packed ARGB pixels ({@code Bitmap.getPixels} order), row-major. Alpha is dropped, not
     * composited, exactly as PIL's {@code convert("RGB")} does.
     *
     * @param width pixels per row, &gt; 0
     * @param height rows, &gt; 0
     * @param argb one {@code 0xAARRGGBB} value per pixel, rows top to bottom
     * @return the input, converted to RGB bytes now (the array is not kept)
     * @throws InvalidConfigurationException when {@code argb} is null or its length is not {@code width * height}
     */
    static ImageInput ofArgb(int width, int height, int[] argb) {
        Checks.required(argb, "image.pixels", "an ARGB array");
        Checks.check((long) width * height == argb.length, "image.pixels",
                "holds " + argb.length + " pixels, expected " + width + "x" + height);
        byte[] rgb = new byte[argb.length * 3];
        for (int i = 0; i < argb.length; i++) {
            int p = argb[i];
            rgb[3 * i] = (byte) (p >>> 16);
            rgb[3 * i + 1] = (byte) (p >>> 8);
            rgb[3 * i + 2] = (byte) p;
        }
        return new RgbPixels(width, height, rgb);
    }

    /**
     * A short name for messages: the file name, the caller's name, or the pixel size.
     *
     * @return the name used in error messages
     */
    String name();

    /** @param path an image file on the host */
    record File(Path path) implements ImageInput {
        /**
         * Checks that the path is given.
         *
         * @param path an image file on the host
         * @throws InvalidConfigurationException when {@code path} is null
         */
        public File {
            Checks.required(path, "image", "a file path");
        }

        @Override
        public String name() {
            return path.toString();
        }
    }

    /**
     * @param bytes encoded image bytes (not copied)
     * @param name  a name for messages
     */
    record Encoded(byte[] bytes, String name) implements ImageInput {
        /**
         * Checks the bytes and fills in a missing name.
         *
         * @param bytes encoded image bytes (not copied)
         * @param name a name for messages
         * @throws InvalidConfigurationException when {@code bytes} is null
         */
        public Encoded {
            Checks.required(bytes, "image", "the encoded bytes");
            name = name == null ? "<" + bytes.length + " bytes>" : name;
        }
    }

    /**
     * @param width  pixels per row, &gt; 0
     * @param height rows, &gt; 0
     * @param rgb    interleaved RGB, {@code width * height * 3} bytes (not copied)
     */
    record RgbPixels(int width, int height, byte[] rgb) implements ImageInput {
        /**
         * Checks the sizes against the array.
         *
         * @param width pixels per row, &gt; 0
         * @param height rows, &gt; 0
         * @param rgb interleaved RGB, {@code width * height * 3} bytes (not copied)
         * @throws InvalidConfigurationException when a size is not positive, the array is null, or its length is not
         *     {@code width * height * 3}
         */
        public RgbPixels {
            Checks.positive(width, "image.width");
            Checks.positive(height, "image.height");
            Checks.required(rgb, "image.pixels", "an RGB array");
            Checks.check((long) width * height * 3 == rgb.length, "image.pixels",
                    "holds " + rgb.length + " bytes, expected " + width + "x" + height + "x3 = "
                            + (long) width * height * 3);
        }

        @Override
        public String name() {
            return "<" + width + "x" + height + " RGB pixels>";
        }
    }
}

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

    /** An image file on the host. */
    static ImageInput of(Path file) {
        return new File(file);
    }

    /** Encoded image bytes; {@code name} appears in error messages. The array is not copied. */
    static ImageInput of(byte[] encoded, String name) {
        return new Encoded(encoded, name);
    }

    /** Reads the whole stream (it is not closed) as an encoded image. */
    static ImageInput of(InputStream stream, String name) {
        Checks.required(stream, "image", "an input stream");
        try {
            return new Encoded(stream.readAllBytes(), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read image stream " + name, e);
        }
    }

    /** Interleaved 8-bit RGB pixels, row-major, {@code width * height * 3} bytes. The array is not copied. */
    static ImageInput ofRgb(int width, int height, byte[] rgb) {
        return new RgbPixels(width, height, rgb);
    }

    /**
     * Packed ARGB pixels ({@code Bitmap.getPixels} order), row-major. Alpha is dropped, not
     * composited, exactly as PIL's {@code convert("RGB")} does.
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

    /** A short name for messages: the file name, the caller's name, or the pixel size. */
    String name();

    /** @param path an image file on the host */
    record File(Path path) implements ImageInput {
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

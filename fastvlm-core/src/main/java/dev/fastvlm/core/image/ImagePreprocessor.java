package dev.fastvlm.core.image;

import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.core.image.decode.Decoding;
import dev.fastvlm.core.image.decode.ExifOrientation;
import dev.fastvlm.core.image.decode.ImageDecoder;
import dev.fastvlm.core.image.decode.RgbImage;
import dev.fastvlm.core.image.decode.SourcePixels;
import dev.fastvlm.core.image.decode.StandardDecoder;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * Turns an image into the vision encoder's input exactly as the reference Python does:
 * {@code Image.open(p).convert("RGB").resize((size, size), Image.BICUBIC)}, then uint8 HWC or
 * float32 NCHW {@code / 255}. Thread-safe and reusable.
 *
 * <pre>{@code
 * ImagePreprocessor pre = ImagePreprocessor.builder().layout(OutputLayout.FLOAT32_NCHW).build();
 * PreprocessedImage img = pre.preprocess(ImageInput.of(Path.of("cat.jpg")));
 * transport.write(devicePath, img.byteSize(), img::writeTo, progress);
 * }</pre>
 */
public final class ImagePreprocessor {
    /** FastVLM's vision encoder input edge. */
    public static final int DEFAULT_SIZE = 1024;
    /** PIL's {@code Image.MAX_IMAGE_PIXELS}. */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /**
     * Largest image file read, in bytes: 256 MiB, far above any photograph (a 100 MP PNG is about
     * 300 MB only when uncompressed noise) and far below what a Java array holds.
     */
    public static final long DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;

    private final int size;
    private final ResizePolicy resizePolicy;
    private final OutputLayout layout;
    private final boolean applyExifOrientation;
    private final long maxPixels;
    private final long maxFileBytes;
    private final ImageDecoder decoder;

    private ImagePreprocessor(Builder b) {
        this.size = b.size;
        this.resizePolicy = b.resizePolicy;
        this.layout = b.layout;
        this.applyExifOrientation = b.applyExifOrientation;
        this.maxPixels = b.maxPixels;
        this.maxFileBytes = b.maxFileBytes;
        this.decoder = b.decoder;
    }

    /**
     * A builder with the reference flow's values: 1024 pixels, stretch, uint8 output, no EXIF rotation.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Decodes, converts, resizes: the whole of step 2 of the flow.
     *
     * @param input the image: a file, encoded bytes or RGB pixels
     * @return the resized image, ready to write as the encoder's input
     * @throws dev.fastvlm.InvalidInputException when the file cannot be read, is too large, or cannot be decoded
     * @throws NullPointerException when {@code input} is null
     */
    public PreprocessedImage preprocess(ImageInput input) {
        Objects.requireNonNull(input, "input");
        if (decodesStandardly(input)) {
            return preprocessStandard(encoded(input), input.name());
        }
        return new PreprocessedImage(resize(decode(input)), layout);
    }

    /** An encoded image for the built-in decoders, without EXIF rotation: rows can overlap work. */
    private boolean decodesStandardly(ImageInput input) {
        return decoder == ImageDecoder.standard() && !applyExifOrientation && !(input instanceof ImageInput.RgbPixels);
    }

    private PreprocessedImage preprocessStandard(byte[] encoded, String name) {
        // The resampler reads rows while the decoder writes the next ones (large JPEG and PNG),
        // and libjpeg-turbo's output where it lies: no heap copy of the source.
        RgbImage resized = StandardDecoder.decodeThen(encoded, name, maxPixels,
                (w, h) -> w != size || h != size, this::resize);
        return new PreprocessedImage(resized, layout);
    }

    /**
     * As {@link #preprocess}, except that a PNG already at the output size, in the uint8 layout,
     * comes back as soon as its header is checked: its rows are decoded on another thread while
     * {@link PreprocessedImage#writeTo(java.io.OutputStream)} streams each one once it is there, so
     * a push of the tensor overlaps the decode (there is no resize to share the cores with). A
     * corrupt or truncated image then fails from {@code writeTo} or {@link PreprocessedImage#complete()}
     * rather than from here. Any other image is preprocessed in full first.
     *
     * @param input the image: a file, encoded bytes or RGB pixels
     * @return the resized image, possibly still being decoded
     * @throws dev.fastvlm.InvalidInputException when the file cannot be read, is too large, or its header cannot be
     *     decoded
     */
    public PreprocessedImage preprocessStreaming(ImageInput input) {
        Objects.requireNonNull(input, "input");
        if (layout == OutputLayout.UINT8_HWC && decodesStandardly(input)) {
            byte[] encoded = encoded(input);
            SourcePixels arriving = StandardDecoder.pngArriving(encoded, input.name(), maxPixels, size, size);
            if (arriving != null) {
                return new PreprocessedImage(arriving, layout);
            }
            return preprocessStandard(encoded, input.name());
        }
        return preprocess(input);
    }

    /**
     * PIL's {@code Image.open(...).convert("RGB")} (plus the EXIF rotation if enabled).
     *
     * @param input the image: a file, encoded bytes or RGB pixels
     * @return the full-size RGB pixels
     * @throws dev.fastvlm.InvalidInputException when the file cannot be read, is too large, or cannot be decoded
     */
    public RgbImage decode(ImageInput input) {
        Objects.requireNonNull(input, "input");
        if (input instanceof ImageInput.RgbPixels pixels) {
            Decoding.checkPixels(pixels.name(), pixels.width(), pixels.height(), maxPixels);
            return new RgbImage(pixels.width(), pixels.height(), pixels.rgb());
        }
        byte[] encoded = encoded(input);
        RgbImage image = decoder.decode(encoded, input.name(), maxPixels);
        return applyExifOrientation ? ExifOrientation.orient(image, encoded) : image;
    }

    /**
     * Applies the resize policy with PIL's bicubic filter; the result is {@code size x size}.
     *
     * @param src the decoded pixels
     * @return a {@link #size()} by {@link #size()} image; a copy of {@code src} when it already has that size
     */
    public RgbImage resize(RgbImage src) {
        return resize(SourcePixels.of(src));
    }

    private RgbImage resize(SourcePixels src) {
        int w = src.width();
        int h = src.height();
        if (w == size && h == size) {
            // PIL's resize returns a copy when the size does not change; every policy then keeps the pixels.
            return src.toRgbImage();
        }
        return switch (resizePolicy) {
            case STRETCH -> BicubicResampler.resize(src, w, h, 0, 0, size, size, 0, 0, size, size);
            case PAD_TO_SQUARE -> {
                // expand2square: paste at ((long - short) // 2) on a black square, then resize.
                int side = Math.max(w, h);
                yield BicubicResampler.resize(src, side, side, (side - w) / 2, (side - h) / 2,
                        size, size, 0, 0, size, size);
            }
            case CENTER_CROP -> {
                // HuggingFace: shortest edge to size, long edge int(size * long / short), crop ((new - size) // 2).
                int newW = w <= h ? size : (int) ((double) ((long) size * w) / h);
                int newH = w <= h ? (int) ((double) ((long) size * h) / w) : size;
                yield BicubicResampler.resize(src, w, h, 0, 0, newW, newH,
                        (newW - size) / 2, (newH - size) / 2, size, size);
            }
        };
    }

    /** {@return the output edge in pixels} */
    public int size() {
        return size;
    }

    /** {@return how images of another shape are brought to a square} */
    public ResizePolicy resizePolicy() {
        return resizePolicy;
    }

    /** {@return how the encoder's input tensor is laid out} */
    public OutputLayout layout() {
        return layout;
    }

    private byte[] encoded(ImageInput input) {
        return input instanceof ImageInput.File file ? read(file, maxFileBytes) : ((ImageInput.Encoded) input).bytes();
    }

    private static byte[] read(ImageInput.File file, long maxFileBytes) {
        Path path = file.path();
        try {
            // Checked before any byte is read: a FIFO or a device such as /dev/zero never ends, and a
            // file past the limit would only end in an OutOfMemoryError.
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new InvalidInputException(file.name() + ": not a regular file (a directory, FIFO, socket or"
                        + " device); an image must be a regular file");
            }
            if (attributes.size() > maxFileBytes) {
                throw new InvalidInputException(file.name() + ": " + attributes.size() + " bytes, larger than the"
                        + " image file limit of " + maxFileBytes + " bytes");
            }
            if (path.getFileSystem() != FileSystems.getDefault()) {
                return Files.readAllBytes(path);
            }
            // A FileInputStream reads the file in one call, straight into the array: a third of the
            // time Files.readAllBytes takes through its channel's temporary buffer (a 2 MB PNG: 0.5
            // against 1.4 ms), and the PNG's inflating waits for it.
            try (FileInputStream in = new FileInputStream(path.toFile())) {
                return in.readAllBytes();
            }
        } catch (FileNotFoundException e) {
            if (Files.notExists(path)) {
                throw new InvalidInputException(file.name() + ": no such image file", e);
            }
            throw new InvalidInputException(file.name() + ": cannot read the image file (" + e.getMessage() + ")", e);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(file.name() + ": no such image file", e);
        } catch (OutOfMemoryError e) {
            // Within the file limit but beyond this JVM's heap: the input is too large here, not the JVM broken.
            throw new InvalidInputException(file.name() + ": too large to read into this JVM's heap", e);
        } catch (IOException e) {
            throw new InvalidInputException(file.name() + ": cannot read the image file (" + e.getMessage() + ")", e);
        }
    }

    /** Options; every one has the reference flow's value by default. */
    public static final class Builder {
        private int size = DEFAULT_SIZE;
        private ResizePolicy resizePolicy = ResizePolicy.STRETCH;
        private OutputLayout layout = OutputLayout.UINT8_HWC;
        private boolean applyExifOrientation;
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private long maxFileBytes = DEFAULT_MAX_FILE_BYTES;
        private ImageDecoder decoder = ImageDecoder.standard();

        private Builder() {
        }

        /**
         * Output edge in pixels; default {@value #DEFAULT_SIZE}.
         *
         * @param size the edge, 1 to 16384
         * @return this builder
         * @throws dev.fastvlm.InvalidConfigurationException when {@code size} is out of range
         */
        public Builder size(int size) {
            if (size <= 0 || size > 16384) {
                throw new InvalidConfigurationException("image.size", "must be 1..16384, was " + size);
            }
            this.size = size;
            return this;
        }

        /**
         * How an image of another shape is brought to a square; {@link ResizePolicy#STRETCH} by default.
         *
         * @param resizePolicy the policy
         * @return this builder
         * @throws dev.fastvlm.InvalidConfigurationException when {@code resizePolicy} is null
         */
        public Builder resizePolicy(ResizePolicy resizePolicy) {
            this.resizePolicy = require(resizePolicy, "image.resizePolicy");
            return this;
        }

        /**
         * How the encoder's input tensor is laid out; {@link OutputLayout#UINT8_HWC} by default.
         *
         * @param layout the layout
         * @return this builder
         * @throws dev.fastvlm.InvalidConfigurationException when {@code layout} is null
         */
        public Builder layout(OutputLayout layout) {
            this.layout = require(layout, "image.layout");
            return this;
        }

        /**
         * Rotate/flip by the EXIF orientation tag first; off by default, as in the reference.
         *
         * @param apply {@code true} to apply the orientation tag
         * @return this builder
         */
        public Builder applyExifOrientation(boolean apply) {
            this.applyExifOrientation = apply;
            return this;
        }

        /**
         * Largest image file read, in bytes; a larger file is refused before reading; default
         * {@value #DEFAULT_MAX_FILE_BYTES}.
         *
         * @param maxFileBytes a positive size in bytes
         * @return this builder
         * @throws dev.fastvlm.InvalidConfigurationException when {@code maxFileBytes} is not positive
         */
        public Builder maxFileBytes(long maxFileBytes) {
            if (maxFileBytes <= 0) {
                throw new InvalidConfigurationException("image.maxFileBytes", "must be > 0, was " + maxFileBytes);
            }
            this.maxFileBytes = maxFileBytes;
            return this;
        }

        /**
         * Decompression-bomb limit, width times height; default PIL's {@value #DEFAULT_MAX_PIXELS}.
         *
         * @param maxPixels a positive pixel count
         * @return this builder
         * @throws dev.fastvlm.InvalidConfigurationException when {@code maxPixels} is not positive
         */
        public Builder maxPixels(long maxPixels) {
            if (maxPixels <= 0) {
                throw new InvalidConfigurationException("image.maxPixels", "must be > 0, was " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * The decoder of encoded images; {@link ImageDecoder#standard()} by default.
         *
         * @param decoder the decoder
         * @return this builder
         * @throws dev.fastvlm.InvalidConfigurationException when {@code decoder} is null
         */
        public Builder decoder(ImageDecoder decoder) {
            this.decoder = require(decoder, "image.decoder");
            return this;
        }

        /**
         * Creates the preprocessor; every option was checked when set.
         *
         * @return the preprocessor, usable from any thread
         */
        public ImagePreprocessor build() {
            return new ImagePreprocessor(this);
        }

        private static <T> T require(T value, String field) {
            if (value == null) {
                throw new InvalidConfigurationException(field, "is required");
            }
            return value;
        }
    }
}

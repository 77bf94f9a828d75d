package dev.fastvlm.core.image.decode;

import dev.fastvlm.core.DesktopOnly;
import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadProgressListener;
import javax.imageio.stream.ImageInputStream;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Decodes with ImageIO (the JDK's readers plus the TwelveMonkeys plugins on the class path) and
 * converts the decoded raster's raw samples to RGB as PIL would. Colour management is
 * deliberately skipped: PIL ignores ICC profiles and gamma in {@code convert("RGB")}.
 */
@DesktopOnly("ImageIO and java.awt: desktop Java only")
final class ImageIoDecoder implements ImageDecoder {
    static final ImageIoDecoder INSTANCE = new ImageIoDecoder();
    private static final Logger LOG = LoggerFactory.getLogger(ImageIoDecoder.class);

    static {
        // Decoding reads from memory; a disk cache would only add temporary files.
        ImageIO.setUseCache(false);
    }

    private ImageIoDecoder() {
    }

    @Override
    public RgbImage decode(byte[] encoded, String name, long maxPixels) {
        ImageFormat format = Decoding.checkSupported(encoded, name);
        if (format == ImageFormat.WEBP) {
            checkRiffLength(encoded, name);
        }
        // ImageIO finds no reader for a stream made on an interrupted thread: a cancel must not read as a bad image.
        StopCheck stop = StopCheck.ofCurrentRequest();
        stop.check();
        ImageReader reader = null;
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(encoded))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new InvalidInputException(name + ": unsupported image format "
                        + format.displayName() + " (no ImageIO reader installed)");
            }
            reader = readers.next();
            reader.setInput(in, true, true);
            Decoding.checkPixels(name, reader.getWidth(0), reader.getHeight(0), maxPixels);
            List<String> truncation = new ArrayList<>();
            reader.addIIOReadWarningListener((source, warning) -> {
                // The JDK's JPEG reader reports a cut stream only as a warning, and fills the rest grey.
                if (Decoding.isTruncationWarning(warning)) {
                    truncation.add(warning);
                } else {
                    LOG.debug("{}: ImageIO warning: {}", name, warning);
                }
            });
            reader.addIIOReadProgressListener(new AbortWhenStopped(stop));
            BufferedImage image = reader.read(0);
            // A reader aborted by the listener returns what it has: the request is over, not the image bad.
            stop.check();
            if (!truncation.isEmpty()) {
                throw new InvalidInputException(name + ": truncated or corrupt " + format.displayName()
                        + " data (" + String.join("; ", truncation) + ")");
            }
            return toRgb(image, name);
        } catch (InvalidInputException | CancelledException | FastVlmTimeoutException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // A read that an interrupt broke (ClosedByInterruptException) is a cancel, not a corrupt image.
            stop.check();
            throw new InvalidInputException(name + ": truncated or corrupt " + format.displayName()
                    + " data (" + rootMessage(e) + ")", e);
        } finally {
            if (reader != null) {
                reader.dispose();
            }
        }
    }

    /** TwelveMonkeys decodes a cut WebP without complaint; the RIFF header says how long it must be. */
    private static void checkRiffLength(byte[] encoded, String name) {
        long declared = (encoded[4] & 0xffL | (encoded[5] & 0xffL) << 8 | (encoded[6] & 0xffL) << 16
                | (encoded[7] & 0xffL) << 24) + 8;
        if (encoded.length < declared) {
            throw new InvalidInputException(name + ": truncated or corrupt WEBP data (" + encoded.length
                    + " bytes, the RIFF header declares " + declared + ")");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null ? t.getClass().getSimpleName() : message;
    }

    /**
     * Reads raw samples, mapping each colour model as PIL maps the mode it would have opened.
     * For CMYK JPEG the JDK's reader already undoes the Adobe inversion, as PIL's "CMYK;I" does.
     */
    static RgbImage toRgb(BufferedImage image, String name) {
        int w = image.getWidth();
        int h = image.getHeight();
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        Raster raster = image.getRaster();
        ColorModel cm = image.getColorModel();
        int bands = raster.getNumBands();
        int[] row = new int[w * bands];
        if (cm instanceof IndexColorModel icm) {
            int size = icm.getMapSize();
            byte[] r = new byte[size];
            byte[] g = new byte[size];
            byte[] b = new byte[size];
            icm.getReds(r);
            icm.getGreens(g);
            icm.getBlues(b);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                int d = y * w * 3;
                for (int x = 0; x < w; x++, d += 3) {
                    int index = row[x];
                    rgb[d] = r[index];
                    rgb[d + 1] = g[index];
                    rgb[d + 2] = b[index];
                }
            }
            return new RgbImage(w, h, rgb);
        }
        int colorType = cm.getColorSpace().getType();
        int bits = cm.getComponentSize(0);
        boolean sixteen = raster.getTransferType() == DataBuffer.TYPE_USHORT && bits > 8;
        int colorBands = cm.getNumColorComponents();
        int shift = sixteen ? 8 : 0;
        int maxSample = (1 << bits) - 1;
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            int d = y * w * 3;
            for (int x = 0, s = 0; x < w; x++, s += bands, d += 3) {
                switch (colorType) {
                    case ColorSpace.TYPE_GRAY -> {
                        int v;
                        if (sixteen && !cm.hasAlpha()) {
                            v = PilConversions.clipI(row[s]); // PIL opens 16-bit grey as mode I
                        } else if (sixteen) {
                            v = row[s] >> shift; // PIL opens 16-bit grey+alpha as LA, keeping the high byte
                        } else if (bits < 8) {
                            v = row[s] * 255 / maxSample; // PIL unpacks 1/2/4-bit grey by scaling
                        } else {
                            v = row[s];
                        }
                        rgb[d] = rgb[d + 1] = rgb[d + 2] = (byte) v;
                    }
                    case ColorSpace.TYPE_RGB -> {
                        rgb[d] = (byte) (row[s] >> shift);
                        rgb[d + 1] = (byte) (row[s + 1] >> shift);
                        rgb[d + 2] = (byte) (row[s + 2] >> shift);
                    }
                    case ColorSpace.TYPE_CMYK -> {
                        int nk = 255 - (row[s + 3] >> shift);
                        rgb[d] = (byte) PilConversions.cmykChannel(row[s] >> shift, nk);
                        rgb[d + 1] = (byte) PilConversions.cmykChannel(row[s + 1] >> shift, nk);
                        rgb[d + 2] = (byte) PilConversions.cmykChannel(row[s + 2] >> shift, nk);
                    }
                    default -> throw new InvalidInputException(name + ": unsupported colour space with "
                            + colorBands + " components (type " + colorType + "); PIL cannot convert it to RGB either");
                }
            }
        }
        return new RgbImage(w, h, rgb);
    }

    /** Aborts a read, between the rows a reader reports, once the request it serves is to stop. */
    @DesktopOnly("an ImageIO listener")
    private static final class AbortWhenStopped implements IIOReadProgressListener {
        private final StopCheck stop;

        AbortWhenStopped(StopCheck stop) {
            this.stop = stop;
        }

        @Override
        public void imageProgress(ImageReader source, float percentageDone) {
            try {
                stop.check();
            } catch (CancelledException | FastVlmTimeoutException e) {
                source.abort();
            }
        }

        @Override
        public void sequenceStarted(ImageReader source, int minIndex) {
        }

        @Override
        public void sequenceComplete(ImageReader source) {
        }

        @Override
        public void imageStarted(ImageReader source, int imageIndex) {
        }

        @Override
        public void imageComplete(ImageReader source) {
        }

        @Override
        public void thumbnailStarted(ImageReader source, int imageIndex, int thumbnailIndex) {
        }

        @Override
        public void thumbnailProgress(ImageReader source, float percentageDone) {
        }

        @Override
        public void thumbnailComplete(ImageReader source) {
        }

        @Override
        public void readAborted(ImageReader source) {
        }
    }
}

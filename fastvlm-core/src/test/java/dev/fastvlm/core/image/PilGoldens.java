package dev.fastvlm.core.image;

import dev.fastvlm.ResizePolicy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** The cases written by src/test/scripts/make_image_goldens.py from PIL's own output. */
public final class PilGoldens {
    private static final String DIR = "/image-goldens/";
    private static final byte[] EXPECTED = load("expected.bin.gz", true);

    private PilGoldens() {
    }

    /** One PIL reference output. {@code pixels} is null when only the digest was kept. */
    record Case(String source, String kind, ResizePolicy policy, int size, OutputLayout layout, boolean exif,
                String sha256, byte[] pixels) {
        byte[] sourceBytes() {
            return load("sources/" + source, false);
        }

        @Override
        public String toString() {
            return source + " " + policy + " " + size + " " + layout + (exif ? " exif" : "");
        }
    }

    static List<Case> all() {
        List<Case> cases = new ArrayList<>();
        for (String line : new String(load("cases.tsv", false), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            int offset = Integer.parseInt(f[7]);
            byte[] pixels = offset < 0 ? null : Arrays.copyOfRange(EXPECTED, offset, offset + Integer.parseInt(f[8]));
            cases.add(new Case(f[0], f[1], policy(f[2]), Integer.parseInt(f[3]),
                    f[4].equals("uint8") ? OutputLayout.UINT8_HWC : OutputLayout.FLOAT32_NCHW,
                    Boolean.parseBoolean(f[5]), f[6], pixels));
        }
        return cases;
    }

    static ResizePolicy policy(String name) {
        return switch (name) {
            case "stretch" -> ResizePolicy.STRETCH;
            case "pad" -> ResizePolicy.PAD_TO_SQUARE;
            case "center-crop" -> ResizePolicy.CENTER_CROP;
            default -> throw new IllegalArgumentException(name);
        };
    }

    public static byte[] load(String name, boolean gzip) {
        try (InputStream raw = PilGoldens.class.getResourceAsStream(DIR + name)) {
            if (raw == null) {
                throw new IllegalStateException("missing test resource " + DIR + name);
            }
            return (gzip ? new GZIPInputStream(raw) : raw).readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package dev.fastvlm.bench;

import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Deterministic photo-like test images: smooth gradients (which compress like a photo's sky)
 * under fixed-seed rectangles and ellipses (edges), plus sensor-like noise, so that they decode
 * like photographs rather than like flat shapes. The JPEG is written at quality 90, as a phone
 * camera's 12-megapixel photo (3.1 MB); the PNG as Pillow and libpng write one (each row with the
 * filter whose output has the smallest sum of absolute values, mostly Paeth on a photo; zlib level
 * 6), not as ImageIO does (no filtering at all), which inflates a different, unusual stream.
 */
final class BenchImages {

    private BenchImages() {
    }

    /**
     * Writes a named benchmark image into {@code dir} (created if missing): {@code png-1024} (1024 x
     * 1024 PNG, {@code png-1024.png}) or {@code jpeg-12mp} (4000 x 3000 JPEG, {@code jpeg-12mp.jpg}).
     */
    static Path write(Path dir, String name) throws IOException {
        Files.createDirectories(dir);
        return switch (name) {
            case "png-1024" -> writePhotoPng(dir.resolve(name + ".png"), 1024, 1024);
            case "jpeg-12mp" -> writeCameraJpeg(dir.resolve(name + ".jpg"), 4000, 3000);
            default -> throw new IllegalArgumentException("unknown benchmark image " + name
                    + "; expected png-1024 or jpeg-12mp");
        };
    }

    /** A 640 x 480 PNG, its left half {@code left} and its right half {@code right}: a small, exactly known image. */
    static byte[] twoColourPng(Color left, Color right) throws IOException {
        BufferedImage image = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, 320, 480);
        g.setColor(right);
        g.fillRect(320, 0, 320, 480);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    static Path write(Path file, String format, int width, int height) throws IOException {
        BufferedImage img = draw(width, height);
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".image-", ".tmp");
        if (!ImageIO.write(img, format, temp.toFile())) {
            Files.deleteIfExists(temp);
            throw new IOException("no ImageIO writer for " + format);
        }
        return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The drawing plus uniform noise of +-12 levels per channel, JPEG quality 90. */
    static Path writeCameraJpeg(Path file, int width, int height) throws IOException {
        BufferedImage img = drawWithNoise(width, height);
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".image-", ".tmp");
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        ImageWriteParam param = writer.getDefaultWriteParam();
        param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
        param.setCompressionQuality(0.9f);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(temp.toFile())) {
            writer.setOutput(out);
            writer.write(null, new IIOImage(img, null, null), param);
        } finally {
            writer.dispose();
        }
        return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The drawing plus the same noise, as an 8-bit RGB PNG filtered and compressed as Pillow does. */
    static Path writePhotoPng(Path file, int width, int height) throws IOException {
        int[] pixels = ((DataBufferInt) drawWithNoise(width, height).getRaster().getDataBuffer()).getData();
        int rowBytes = width * 3;
        byte[] prior = new byte[rowBytes];
        byte[] current = new byte[rowBytes];
        byte[][] candidates = new byte[5][rowBytes + 1];
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        Deflater deflater = new Deflater(6);
        try (DeflaterOutputStream zlib = new DeflaterOutputStream(idat, deflater, 1 << 16)) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    int p = pixels[y * width + x];
                    current[3 * x] = (byte) (p >> 16);
                    current[3 * x + 1] = (byte) (p >> 8);
                    current[3 * x + 2] = (byte) p;
                }
                zlib.write(bestFilter(current, y == 0 ? null : prior, candidates));
                byte[] t = prior;
                prior = current;
                current = t;
            }
        } finally {
            deflater.end();
        }
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".image-", ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp)))) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
            ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height)
                    .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
            chunk(out, "IHDR", header.array());
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
        return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** libpng's heuristic: of the five filtered rows, the one whose bytes, taken as signed, sum smallest. */
    private static byte[] bestFilter(byte[] row, byte[] prior, byte[][] candidates) {
        byte[] best = null;
        long bestSum = Long.MAX_VALUE;
        for (int filter = 0; filter < 5; filter++) {
            byte[] out = candidates[filter];
            out[0] = (byte) filter;
            long sum = 0;
            for (int i = 0; i < row.length; i++) {
                int a = i >= 3 ? row[i - 3] & 0xff : 0;
                int b = prior == null ? 0 : prior[i] & 0xff;
                int c = i >= 3 && prior != null ? prior[i - 3] & 0xff : 0;
                int predicted = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) >> 1;
                    default -> paeth(a, b, c);
                };
                byte residual = (byte) (row[i] - predicted);
                out[i + 1] = residual;
                sum += Math.abs(residual);
            }
            if (sum < bestSum) {
                bestSum = sum;
                best = out;
            }
        }
        return best;
    }

    private static int paeth(int a, int b, int c) {
        int pa = Math.abs(b - c);
        int pb = Math.abs(a - c);
        int pc = Math.abs(a + b - 2 * c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        out.writeInt((int) crc.getValue());
    }

    static BufferedImage drawWithNoise(int width, int height) {
        BufferedImage img = draw(width, height);
        int[] pixels = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        Random noise = new Random(42L);
        for (int i = 0; i < pixels.length; i++) {
            int p = pixels[i];
            int r = clamp(((p >> 16) & 0xff) + noise.nextInt(25) - 12);
            int g = clamp(((p >> 8) & 0xff) + noise.nextInt(25) - 12);
            int b = clamp((p & 0xff) + noise.nextInt(25) - 12);
            pixels[i] = (r << 16) | (g << 8) | b;
        }
        return img;
    }

    private static int clamp(int value) {
        return Math.max(0, Math.min(255, value));
    }

    private static BufferedImage draw(int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] pixels = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = 255 * x / width;
                int g = 255 * y / height;
                int b = (r + g + ((x ^ y) & 31)) & 0xff;
                pixels[y * width + x] = (r << 16) | (g << 8) | b;
            }
        }
        Graphics2D g = img.createGraphics();
        Random random = new Random(20261126L);
        for (int i = 0; i < 60; i++) {
            g.setColor(new Color(random.nextInt(0x1000000)));
            int w = 1 + random.nextInt(width / 4);
            int h = 1 + random.nextInt(height / 4);
            int x = random.nextInt(width - w);
            int y = random.nextInt(height - h);
            if (random.nextBoolean()) {
                g.fillRect(x, y, w, h);
            } else {
                g.fillOval(x, y, w, h);
            }
        }
        g.dispose();
        return img;
    }
}

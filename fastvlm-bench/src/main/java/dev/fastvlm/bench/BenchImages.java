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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Random;

/**
 * Deterministic photo-like test images: smooth gradients (which compress like a photo's sky)
 * under fixed-seed rectangles and ellipses (edges), so PNG and JPEG sizes are realistic rather
 * than those of a flat colour or of noise. The JPEG also carries sensor-like noise and is written
 * at quality 90, as a phone camera's 12-megapixel photo (about 4 MB rather than a few hundred KB
 * of smooth shapes, which would decode unrealistically fast).
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
            case "png-1024" -> write(dir.resolve(name + ".png"), "png", 1024, 1024);
            case "jpeg-12mp" -> writeCameraJpeg(dir.resolve(name + ".jpg"), 4000, 3000);
            default -> throw new IllegalArgumentException("unknown benchmark image " + name
                    + "; expected png-1024 or jpeg-12mp");
        };
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

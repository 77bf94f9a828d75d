package dev.fastvlm.bench;

import javax.imageio.ImageIO;
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
 * than those of a flat colour or of noise.
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
            case "jpeg-12mp" -> write(dir.resolve(name + ".jpg"), "jpeg", 4000, 3000);
            default -> throw new IllegalArgumentException("unknown benchmark image " + name
                    + "; expected png-1024 or jpeg-12mp");
        };
    }

    static Path write(Path file, String format, int width, int height) throws IOException {
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
        Path temp = Files.createTempFile(file.toAbsolutePath().getParent(), ".image-", ".tmp");
        if (!ImageIO.write(img, format, temp.toFile())) {
            Files.deleteIfExists(temp);
            throw new IOException("no ImageIO writer for " + format);
        }
        return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

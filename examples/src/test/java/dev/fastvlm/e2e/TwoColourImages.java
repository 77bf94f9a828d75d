package dev.fastvlm.e2e;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;

/** Test pictures the emulated decoder can name: one colour on the left half, another on the right. */
final class TwoColourImages {
    private TwoColourImages() {
    }

    static Path write(Path file, Color left, Color right) throws IOException {
        BufferedImage img = new BufferedImage(640, 480, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, 320, 480);
        g.setColor(right);
        g.fillRect(320, 0, 320, 480);
        g.dispose();
        ImageIO.write(img, "png", file.toFile());
        return file;
    }
}

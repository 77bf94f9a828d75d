package dev.fastvlm.server;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/** Pictures the emulated decoder can name (one colour left, another right), as PNG bytes and data: URLs. */
final class TestImages {

    private TestImages() {
    }

    static byte[] png(Color left, Color right) {
        BufferedImage image = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, 80, 120);
        g.setColor(right);
        g.fillRect(80, 0, 80, 120);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static String dataUrl(Color left, Color right) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(left, right));
    }
}

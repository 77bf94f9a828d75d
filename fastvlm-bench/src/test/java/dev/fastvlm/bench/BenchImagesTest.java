package dev.fastvlm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BenchImagesTest {

    @TempDir
    Path dir;

    @Test
    void writesTheSameImageEveryTime() throws IOException {
        Path a = BenchImages.write(dir.resolve("a.png"), "png", 320, 200);
        Path b = BenchImages.write(dir.resolve("b.png"), "png", 320, 200);

        assertThat(Files.readAllBytes(a)).isEqualTo(Files.readAllBytes(b));
        BufferedImage img = ImageIO.read(a.toFile());
        assertThat(img.getWidth()).isEqualTo(320);
        assertThat(img.getHeight()).isEqualTo(200);
        // Not a flat colour: the gradient runs from black at the top left to red at the right.
        assertThat(img.getRGB(0, 0)).isNotEqualTo(img.getRGB(319, 0));
    }

    @Test
    void writesJpeg() throws IOException {
        Path jpeg = BenchImages.write(dir.resolve("c.jpg"), "jpeg", 400, 300);

        byte[] bytes = Files.readAllBytes(jpeg);
        assertThat(bytes[0] & 0xff).isEqualTo(0xFF);
        assertThat(bytes[1] & 0xff).isEqualTo(0xD8);
        assertThat(ImageIO.read(jpeg.toFile()).getWidth()).isEqualTo(400);
    }

    @Test
    void namesTheDescribeBenchmarkImages() throws IOException {
        Path png = BenchImages.write(dir.resolve("images"), "png-1024");

        assertThat(png.getFileName().toString()).isEqualTo("png-1024.png");
        assertThat(ImageIO.read(png.toFile()).getHeight()).isEqualTo(1024);
        assertThatThrownBy(() -> BenchImages.write(dir, "gif-1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gif-1");
    }
}

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
    void thePngHoldsTheNoisyDrawingFilteredRowByRowAsPillowWritesIt() throws Exception {
        Path png = BenchImages.writePhotoPng(dir.resolve("photo.png"), 256, 192);

        BufferedImage decoded = ImageIO.read(png.toFile());
        BufferedImage drawn = BenchImages.drawWithNoise(256, 192);
        for (int y = 0; y < 192; y++) {
            for (int x = 0; x < 256; x++) {
                assertThat(decoded.getRGB(x, y) & 0xffffff).as("pixel %d,%d", x, y)
                        .isEqualTo(drawn.getRGB(x, y) & 0xffffff);
            }
        }
        // The image data, inflated: a filter-type byte before each row; a photo uses several, Paeth most.
        byte[] file = Files.readAllBytes(png);
        java.io.ByteArrayOutputStream idat = new java.io.ByteArrayOutputStream();
        for (int pos = 8; pos < file.length; ) {
            int length = java.nio.ByteBuffer.wrap(file, pos, 4).getInt();
            if (new String(file, pos + 4, 4, java.nio.charset.StandardCharsets.US_ASCII).equals("IDAT")) {
                idat.write(file, pos + 8, length);
            }
            pos += 12 + length;
        }
        java.util.zip.Inflater inflater = new java.util.zip.Inflater();
        inflater.setInput(idat.toByteArray());
        byte[] raw = new byte[(256 * 3 + 1) * 192];
        assertThat(inflater.inflate(raw)).isEqualTo(raw.length);
        inflater.end();
        int[] rowsByFilter = new int[5];
        for (int y = 0; y < 192; y++) {
            rowsByFilter[raw[y * (256 * 3 + 1)]]++;
        }
        assertThat(rowsByFilter[4]).as("Paeth, the commonest of %s", java.util.Arrays.toString(rowsByFilter))
                .isEqualTo(java.util.Arrays.stream(rowsByFilter).max().orElseThrow())
                .isGreaterThan(rowsByFilter[0]);
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

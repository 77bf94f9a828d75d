package dev.fastvlm.bundle;

import dev.fastvlm.ImageInput;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.OutputLayout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CalibrationSetTest {
    private static final ImagePreprocessor FLOAT_NCHW = ImagePreprocessor.builder().size(64)
            .layout(OutputLayout.FLOAT32_NCHW).resizePolicy(ResizePolicy.PAD_TO_SQUARE).build();

    @TempDir
    Path root;

    private Path image(Path dir, String name, int w, int h, int rgb) throws IOException {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, x < w / 2 ? rgb : (rgb ^ 0xFFFFFF) + y);
            }
        }
        Path file = dir.resolve(name);
        ImageIO.write(img, name.endsWith(".png") ? "png" : "bmp", file.toFile());
        return file;
    }

    @Test
    void eachInputIsTheSdksOwnPreprocessingOfItsImageInNameOrder() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        Path b = image(images, "b.png", 90, 40, 0xFF0000);
        Path a = image(images, "a.BMP", 30, 70, 0x00FF00);
        Files.writeString(images.resolve("notes.txt"), "not an image");
        List<String> steps = new ArrayList<>();
        CalibrationSet set = CalibrationSet.write(images, root.resolve("calib"), FLOAT_NCHW, 10,
                (step, done, total) -> steps.add(step + " " + done + "/" + total));
        assertThat(set.images()).containsExactly(a, b);
        assertThat(steps).containsExactly("calibration 1/2", "calibration 2/2");
        for (int i = 0; i < 2; i++) {
            Path expected = root.resolve("expected" + i + ".raw");
            FLOAT_NCHW.preprocess(ImageInput.of(set.images().get(i))).writeTo(expected);
            assertThat(set.inputs().get(i)).hasSameBinaryContentAs(expected).hasSize(3L * 64 * 64 * 4);
        }
        assertThat(Files.readAllLines(set.inputList())).containsExactly(set.inputs().get(0).toString(),
                set.inputs().get(1).toString());
        assertThat(set.inputs().get(0)).isAbsolute();
    }

    @Test
    void takesAtMostTheLimit() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        for (int i = 0; i < 3; i++) {
            image(images, "i" + i + ".png", 8, 8, 0x102030 * (i + 1));
        }
        assertThat(CalibrationSet.write(images, root.resolve("c"), FLOAT_NCHW, 2, Progress.none()).inputs()).hasSize(2);
    }

    @Test
    void anEmptyFolderAndABrokenImageAreNamed() throws IOException {
        Path images = Files.createDirectories(root.resolve("images"));
        assertThatThrownBy(() -> CalibrationSet.write(images, root.resolve("c"), FLOAT_NCHW, 8, Progress.none()))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage(images + ": no calibration images (looked for bmp, gif, jpeg, jpg, png, tif, tiff, webp)");
        Path broken = Files.writeString(images.resolve("broken.png"), "not a PNG");
        assertThatThrownBy(() -> CalibrationSet.write(images, root.resolve("c"), FLOAT_NCHW, 8, Progress.none()))
                .isInstanceOf(ModelArtifactException.class).hasMessageStartingWith("calibration image " + broken + ": ");
    }

    @Test
    void onlyTheFloatModelsLayoutIsACalibrationInput() {
        ImagePreprocessor uint8 = ImagePreprocessor.builder().layout(OutputLayout.UINT8_HWC).build();
        assertThatThrownBy(() -> CalibrationSet.write(root, root, uint8, 8, Progress.none()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float32 NCHW");
    }
}

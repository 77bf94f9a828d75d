package dev.fastvlm;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImageInputTest {

    @Test
    void argbDropsAlphaWithoutCompositing() {
        int[] argb = {0x00FF8001, 0x80102030};
        ImageInput.RgbPixels pixels = (ImageInput.RgbPixels) ImageInput.ofArgb(2, 1, argb);
        assertThat(pixels.rgb()).containsExactly(0xFF, 0x80, 0x01, 0x10, 0x20, 0x30);
    }

    @Test
    void rgbLengthMustMatchTheSize() {
        assertThatThrownBy(() -> ImageInput.ofRgb(2, 2, new byte[11]))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("image.pixels: holds 11 bytes, expected 2x2x3 = 12");
    }

    @Test
    void nonPositiveSizeIsRejected() {
        assertThatThrownBy(() -> ImageInput.ofRgb(0, 2, new byte[0]))
                .hasMessage("image.width: must be > 0, was 0");
    }

    @Test
    void streamIsReadWhole() {
        ImageInput input = ImageInput.of(new ByteArrayInputStream(new byte[] {1, 2, 3}), "upload.png");
        assertThat(input).isInstanceOf(ImageInput.Encoded.class);
        assertThat(((ImageInput.Encoded) input).bytes()).containsExactly(1, 2, 3);
        assertThat(input.name()).isEqualTo("upload.png");
    }
}

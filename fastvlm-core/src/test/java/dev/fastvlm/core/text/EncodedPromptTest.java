package dev.fastvlm.core.text;

import dev.fastvlm.InvalidInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EncodedPromptTest {

    private final EncodedPrompt prompt = new EncodedPrompt(new int[] {151644, 872, 198, 0x01020304}, OptionalInt.empty(), 151643);

    @Test
    void paddedInputIsLittleEndianIdsThenPad() {
        byte[] bytes = prompt.toPaddedInt32(6);
        assertThat(bytes).hasSize(24);
        assertThat(bytes).startsWith(0x5C, 0x50, 0x02, 0x00); // 151644 = 0x0002505C
        assertThat(Arrays.copyOfRange(bytes, 12, 16)).containsExactly(0x04, 0x03, 0x02, 0x01);
        int[] read = new int[6];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(read);
        assertThat(read).containsExactly(151644, 872, 198, 0x01020304, 151643, 151643);
    }

    @Test
    void exactlyFullNeedsNoPad() {
        assertThat(prompt.toPaddedInt32(4)).hasSize(16);
    }

    @Test
    void tooManyTokensIsAnInputErrorWithTheNumbers() {
        assertThatThrownBy(() -> prompt.toPaddedInt32(3))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("4 text tokens").hasMessageContaining("cache_len=3");
    }

    @Test
    void streamAndFileHoldTheSameBytes(@TempDir Path dir) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        prompt.writePadded(out, 512);
        Path file = dir.resolve("input_ids.raw");
        Files.write(file, new byte[] {1, 2, 3});
        prompt.writePadded(file, 512);

        assertThat(out.toByteArray()).hasSize(2048).isEqualTo(prompt.toPaddedInt32(512));
        assertThat(Files.readAllBytes(file)).isEqualTo(out.toByteArray());
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void failedWriteLeavesNothingUnderTheFinalName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("input_ids.raw");
        assertThatThrownBy(() -> prompt.writePadded(file, 2)).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> prompt.writePadded(dir.resolve("missing/input_ids.raw"), 8))
                .isInstanceOf(UncheckedIOException.class).hasMessageContaining("missing");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void idsAreCopiedInAndOut() {
        int[] ids = {1, 2, 3};
        EncodedPrompt encoded = new EncodedPrompt(ids, OptionalInt.of(1), 0);
        ids[0] = 99;
        encoded.ids()[1] = 99;
        assertThat(encoded.ids()).containsExactly(1, 2, 3);
        assertThat(encoded).isEqualTo(new EncodedPrompt(new int[] {1, 2, 3}, OptionalInt.of(1), 0));
    }

    @Test
    void imageIndexMustLieWithinTheIds() {
        assertThatThrownBy(() -> new EncodedPrompt(new int[] {1, 2}, OptionalInt.of(3), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

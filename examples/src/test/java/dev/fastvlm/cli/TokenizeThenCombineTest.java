package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code fastvlm tokenize} prints is what {@code fastvlm combine --ids-json} reads, as it is:
 * with a one-wide LUT whose row {@code t} holds {@code t}, the combined file's text rows are the ids.
 */
class TokenizeThenCombineTest extends CliTest {

    private static final int VOCAB = 151936;
    /** fastvlm-core's committed Qwen2 tokenizer fixture. */
    private static final Path FIXTURE = Path.of("..", "fastvlm-core", "src", "test", "resources", "qwen2-tokenizer");
    private static final String PROMPT = "Describe this image in one sentence.";

    @TempDir
    Path dir;

    private Path lut;
    private Path vision;

    private void writeInputs() throws IOException {
        ByteBuffer table = ByteBuffer.allocate(VOCAB * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < VOCAB; t++) {
            table.putFloat(t);
        }
        lut = Files.write(dir.resolve("LUT.bin"), table.array());
        vision = Files.write(dir.resolve("vision.raw"), new byte[] {3, 5});
    }

    /** Runs tokenize with {@code layout}, keeps its output as a file, and returns the ids it printed. */
    private float[] tokenizeInto(Path idsJson, String layout) throws IOException {
        Path tokenizer = Files.createDirectories(dir.resolve("tokenizer"));
        if (Files.notExists(tokenizer.resolve("tokenizer.json"))) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(FIXTURE.resolve("tokenizer.json.gz")))) {
                Files.copy(in, tokenizer.resolve("tokenizer.json"));
            }
            Files.copy(FIXTURE.resolve("tokenizer_config.json"), tokenizer.resolve("tokenizer_config.json"));
        }
        assertThat(run("tokenize", "--tokenizer", tokenizer.toString(), "--prompt", PROMPT,
                "--layout", layout)).as(err.toString()).isZero();
        Files.writeString(idsJson, out.toString());
        String ids = out.toString().replaceAll("(?s).*\"ids\":\\[([0-9,]+)].*", "$1");
        out.getBuffer().setLength(0);
        String[] parts = ids.split(",");
        float[] values = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Integer.parseInt(parts[i]);
        }
        return values;
    }

    private float[] combine(Path idsJson, String layout) throws IOException {
        Path result = dir.resolve("combined-" + layout + ".raw");
        assertThat(run("combine", "--vision", vision.toString(), "--vision-dtype", "uint8", "--scale", "1",
                "--offset", "0", "--dims", "1,2,1", "--lut", lut.toString(), "--ids-json", idsJson.toString(),
                "--layout", layout, "--out", result.toString())).as(err.toString()).isZero();
        FloatBuffer floats = ByteBuffer.wrap(Files.readAllBytes(result)).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] rows = new float[floats.remaining()];
        floats.get(rows);
        return rows;
    }

    @Test
    void prependLayoutTakesTokenizesOutputAsItIs() throws IOException {
        writeInputs();
        Path idsJson = dir.resolve("ids.json");
        float[] ids = tokenizeInto(idsJson, "prepend");
        float[] rows = combine(idsJson, "prepend");
        float[] expected = new float[ids.length + 2];
        expected[0] = 3;
        expected[1] = 5;
        System.arraycopy(ids, 0, expected, 2, ids.length);
        assertThat(rows).containsExactly(expected);
    }

    @Test
    void placeholderLayoutTakesTheImageIndexFromTokenizesOutput() throws IOException {
        writeInputs();
        Path idsJson = dir.resolve("ids.json");
        float[] ids = tokenizeInto(idsJson, "placeholder");
        assertThat(Files.readString(idsJson)).contains("\"image_index\":14");
        float[] rows = combine(idsJson, "placeholder");
        float[] expected = new float[ids.length + 2];
        System.arraycopy(ids, 0, expected, 0, 14);
        expected[14] = 3;
        expected[15] = 5;
        System.arraycopy(ids, 14, expected, 16, ids.length - 14);
        assertThat(rows).as(Arrays.toString(rows)).containsExactly(expected);
    }
}

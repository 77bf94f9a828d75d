package dev.fastvlm.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

class TokenizeCommandTest extends CliTest {

    /** fastvlm-core's committed Qwen2 tokenizer fixture. */
    private static final Path FIXTURE = Path.of("..", "fastvlm-core", "src", "test", "resources", "qwen2-tokenizer");

    @TempDir
    static Path tokenizerDir;

    @BeforeAll
    static void unpackTokenizer() throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(FIXTURE.resolve("tokenizer.json.gz")))) {
            Files.copy(in, tokenizerDir.resolve("tokenizer.json"));
        }
        Files.copy(FIXTURE.resolve("tokenizer_config.json"), tokenizerDir.resolve("tokenizer_config.json"));
    }

    @Test
    void prependPrintsTheTemplatedIds() {
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.toString(), "--prompt", "Describe this image in one sentence."))
                .isZero();
        // transformers.js, as in fastvlm-core's tokenizer-goldens.json ("ascii", PREPEND, template).
        assertThat(out.toString()).isEqualTo("{\"ids\":[151644,8948,198,2610,525,264,10950,17847,13,151645,198,"
                + "151644,872,198,74785,419,2168,304,825,11652,13,151645,198,151644,77091,198]}" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void placeholderPrintsTheImageIndex() {
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.toString(), "--prompt", "Describe this image in one sentence.",
                "--layout", "placeholder")).isZero();
        assertThat(out.toString()).isEqualTo("{\"ids\":[151644,8948,198,2610,525,264,10950,17847,13,151645,198,"
                + "151644,872,198,198,74785,419,2168,304,825,11652,13,151645,198,151644,77091,198],\"image_index\":14}"
                + System.lineSeparator());
    }

    @Test
    void noChatTemplateEncodesThePlainPrompt() {
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.resolve("tokenizer.json").toString(),
                "--prompt", "Describe this image in one sentence.", "--no-chat-template")).isZero();
        assertThat(out.toString().trim()).isEqualTo("{\"ids\":[74785,419,2168,304,825,11652,13]}");
    }

    @Test
    void outWritesThePaddedInt32File(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("input_ids.raw");
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.toString(), "--prompt", "Describe this image in one sentence.",
                "--no-chat-template", "--context", "16", "--out", file.toString())).isZero();

        int[] read = new int[16];
        ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(read);
        assertThat(Files.size(file)).isEqualTo(64);
        assertThat(read).containsExactly(74785, 419, 2168, 304, 825, 11652, 13,
                151643, 151643, 151643, 151643, 151643, 151643, 151643, 151643, 151643);
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(file);
        }
    }

    @Test
    void promptLongerThanTheContextFailsWithTheNumbersAndNoFile(@TempDir Path dir) {
        Path file = dir.resolve("input_ids.raw");
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.toString(), "--prompt", "Describe this image in one sentence.",
                "--context", "8", "--out", file.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("fastvlm tokenize: prompt has 26 text tokens but the text embedder "
                + "takes at most cache_len=8" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
        assertThat(file).doesNotExist();
    }

    @Test
    void badLayoutAndMissingTokenizerAreOneLineErrors(@TempDir Path dir) {
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.toString(), "--prompt", "x", "--layout", "sideways"))
                .isEqualTo(1);
        assertThat(err.toString()).isEqualTo("fastvlm tokenize: --layout must be prepend or placeholder, was 'sideways'"
                + System.lineSeparator());

        err.getBuffer().setLength(0);
        assertThat(run("tokenize", "--tokenizer", dir.toString(), "--prompt", "x")).isEqualTo(1);
        assertThat(err.toString()).startsWith("fastvlm tokenize: tokenizer: no tokenizer.json at ")
                .contains(dir.toString()).hasLineCount(1);
    }

    @Test
    void promptIsRequired() {
        assertThat(run("tokenize", "--tokenizer", tokenizerDir.toString())).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--prompt=TEXT'");
    }
}

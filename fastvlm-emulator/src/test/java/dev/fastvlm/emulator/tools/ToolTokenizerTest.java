package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.emulator.model.EmulatedBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulated genie-t2t-run's tokenizer: plain Java for Qwen2's {@code tokenizer.json}, the
 * native library through DJL for a file of another shape, nothing cut at 512 tokens either way.
 */
class ToolTokenizerTest {

    @Test
    void qwen2IsReadInPlainJavaAndOtherShapesThroughTheLibrary(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("tokenizer.json");
        try (InputStream in = new GZIPInputStream(EmulatedBundle.class.getResourceAsStream("qwen2-tokenizer.json.gz"))) {
            Files.copy(in, json);
        }
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode tree = (ObjectNode) mapper.readTree(json.toFile());
        tree.putObject("normalizer").put("type", "NFKC");
        Path nfkc = dir.resolve("nfkc.json");
        mapper.writeValue(nfkc.toFile(), tree);
        try (ToolTokenizer library = ToolTokenizer.open(nfkc, Optional.empty())) {
            assertThat(library).isNotInstanceOf(ToolTokenizer.PlainJava.class);
            assertThat(library.decode(library.encode("ﬁne ①"))).isEqualTo("fine 1");
            assertThat(library.encode("hello world ".repeat(400)).length).isGreaterThan(512);
        }
        try (ToolTokenizer plain = ToolTokenizer.open(json, Optional.of(dir.resolve("cache")))) {
            assertThat(plain).isInstanceOf(ToolTokenizer.PlainJava.class);
            assertThat(plain.decode(plain.encode("ﬁne ①"))).isEqualTo("ﬁne ①");
            assertThat(plain.encode("hello world ".repeat(400)).length).isGreaterThan(512);
        }
        assertThat(dir.resolve("cache")).isNotEmptyDirectory();
    }
}

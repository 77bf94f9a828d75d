package dev.fastvlm.core.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.fastvlm.genie.tokenizer.ByteLevelBpe;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The plain Java tokenizer (prompt encoding and the emulated genie-t2t-run) against the HuggingFace
 * library itself (through DJL) on the real Qwen2 {@code tokenizer.json}: the same ids and the same text for
 * prompts, chat-templated turns, special tokens, Unicode and random text; its cache read back
 * gives the same, and a damaged cache or an unsupported file is never taken.
 */
class ByteLevelBpeTest {
    @TempDir
    static Path dir;
    static Path json;
    static HuggingFaceTokenizer reference;
    static ByteLevelBpe parsed;

    @BeforeAll
    static void load() throws Exception {
        json = Qwen2Tokenizer.dir().resolve("tokenizer.json");
        reference = HuggingFaceTokenizer.builder().optTokenizerPath(json).optAddSpecialTokens(false)
                .optTruncation(false).optPadding(false).build();
        parsed = ByteLevelBpe.load(json).orElseThrow();
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    static List<String> texts() {
        List<String> texts = new ArrayList<>(List.of("", "Describe this image in one sentence.",
                "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<image>\nWhat is in the"
                        + " image?<|im_end|>\n<|im_start|>assistant\n",
                "Emulated FastVLM answer: the image is red on the left and blue on the right. The image came before"
                        + " the text. You asked: \"What colour is the car?\"",
                "it's   three  spaces\tand a tab\n\n\nand lines \r\n done ", "numbers 1234567 3.14159 -42 1e10",
                "ÉCOLE café naïve Ångström ﬁ", "日本語のテキストと中文混合", "emoji 😀👍🏽 and ZWJ 👩‍👩‍👧",
                "NBSP\u00a0here and\u2003em space", "'S 'LL 'Re I'M You'Ve", "<|endoftext|><|im_end|><|im_start|>",
                "half <|im_start and <|im_end|>end", "a\u0301 combining (NFC)", "  leading and trailing  ",
                "x".repeat(700), "hello world ".repeat(100), "Ωμέγα русский текст عربي עברית हिन्दी"));
        Random random = new Random(16);
        String alphabet = "abcXYZ 019.,;:'\"!?-_()[]{}<>|\n\t\r€£¥éüß你好🙂\u00a0\u0301";
        for (int i = 0; i < 200; i++) {
            StringBuilder s = new StringBuilder();
            int n = random.nextInt(40);
            for (int j = 0; j < n; j++) {
                s.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0,
                        random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
            }
            texts.add(s.toString());
        }
        return texts;
    }

    @Test
    void encodesAndDecodesAsTheLibrary() {
        for (String text : texts()) {
            long[] expected = reference.encode(text).getIds();
            assertThat(parsed.encode(text)).as(text).containsExactly(expected);
            assertThat(parsed.decode(expected)).as(text).isEqualTo(reference.decode(expected, false));
        }
    }

    @Test
    void decodesAnyIdsAsTheLibrary() {
        // prefixes of an answer (a character cut in two), ids without a token, special ids
        long[] emoji = reference.encode("é 😀 日本").getIds();
        for (int n = 0; n <= emoji.length; n++) {
            long[] prefix = Arrays.copyOf(emoji, n);
            assertThat(parsed.decode(prefix)).isEqualTo(reference.decode(prefix, false));
        }
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            long[] ids = random.longs(random.nextInt(12), 0, 151936).toArray();
            assertThat(parsed.decode(ids)).as(Arrays.toString(ids)).isEqualTo(reference.decode(ids, false));
        }
        long[] special = {151643, 151644, 151645, 151664, 151665, 151935};
        assertThat(parsed.decode(special)).isEqualTo(reference.decode(special, false));
    }

    @Test
    void cacheIsWrittenOnceAndReadBack() throws Exception {
        Path cache = dir.resolve("cache");
        ByteLevelBpe first = ByteLevelBpe.load(json, cache).orElseThrow();
        List<Path> files;
        try (Stream<Path> list = Files.list(cache)) {
            files = list.toList();
        }
        assertThat(files).hasSize(1);
        assertThat(files.get(0).getFileName().toString()).startsWith("bpe-" + Files.size(json) + "-");
        long written = Files.getLastModifiedTime(files.get(0)).toMillis();
        ByteLevelBpe cached = ByteLevelBpe.load(json, cache).orElseThrow();
        assertThat(Files.getLastModifiedTime(files.get(0)).toMillis()).isEqualTo(written);
        for (String text : texts()) {
            long[] ids = reference.encode(text).getIds();
            assertThat(cached.encode(text)).as(text).containsExactly(first.encode(text)).containsExactly(ids);
            assertThat(cached.decode(ids)).isEqualTo(reference.decode(ids, false));
        }
    }

    @Test
    void damagedCacheIsReplacedNotTaken() throws Exception {
        Path cache = dir.resolve("damaged");
        ByteLevelBpe.load(json, cache).orElseThrow();
        Path file;
        try (Stream<Path> list = Files.list(cache)) {
            file = list.findFirst().orElseThrow();
        }
        byte[] good = Files.readAllBytes(file);
        // cut short, then an id out of range in the merges (the last ints before the end mark)
        Files.write(file, Arrays.copyOf(good, good.length / 2));
        assertThat(ByteLevelBpe.load(json, cache).orElseThrow().encode("Describe the image."))
                .containsExactly(reference.encode("Describe the image.").getIds());
        assertThat(Files.readAllBytes(file)).isEqualTo(good);
        byte[] bad = good.clone();
        bad[bad.length - 5] = (byte) 0x7f;
        Files.write(file, bad);
        assertThat(ByteLevelBpe.load(json, cache).orElseThrow().encode("Describe the image."))
                .containsExactly(reference.encode("Describe the image.").getIds());
        assertThat(Files.readAllBytes(file)).isEqualTo(good);
    }

    @Test
    void unsupportedShapesAreLeftToTheLibrary() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode tree = (ObjectNode) mapper.readTree(json.toFile());
        ObjectNode wordPiece = tree.deepCopy();
        ((ObjectNode) wordPiece.get("model")).put("type", "WordPiece");
        ObjectNode lstrip = tree.deepCopy();
        ((ObjectNode) ((ArrayNode) lstrip.get("added_tokens")).get(0)).put("lstrip", true);
        ObjectNode nfkc = tree.deepCopy();
        nfkc.putObject("normalizer").put("type", "NFKC");
        ObjectNode fallback = tree.deepCopy();
        ((ObjectNode) fallback.get("model")).put("byte_fallback", true);
        for (ObjectNode shape : List.of(wordPiece, lstrip, nfkc, fallback)) {
            Path file = dir.resolve("shape.json");
            mapper.writeValue(file.toFile(), shape);
            assertThat(ByteLevelBpe.load(file)).isEmpty();
        }
    }
}

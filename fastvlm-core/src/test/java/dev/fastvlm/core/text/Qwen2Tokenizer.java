package dev.fastvlm.core.text;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The committed Qwen2 tokenizer fixture, unpacked once per test JVM into a temporary directory,
 * and one shared {@link PromptTokenizer} over it (loading parses 11 MB of JSON).
 */
public final class Qwen2Tokenizer {
    static final int ENDOFTEXT = 151643;
    public static final int IM_START = 151644;
    public static final int IM_END = 151645;

    private static Path dir;
    private static PromptTokenizer shared;
    private static PromptTokenizer sharedPlainJava;

    private Qwen2Tokenizer() {
    }

    /** A directory holding tokenizer.json and tokenizer_config.json. */
    static synchronized Path dir() {
        if (dir == null) {
            try {
                Path unpacked = Files.createTempDirectory("qwen2-tokenizer");
                unpacked.toFile().deleteOnExit();
                unpack("tokenizer.json.gz", unpacked.resolve("tokenizer.json"), true);
                unpack("tokenizer_config.json", unpacked.resolve("tokenizer_config.json"), false);
                dir = unpacked;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    /** The shared tokenizer over the fixture; not to be closed. */
    public static synchronized PromptTokenizer shared() {
        if (shared == null) {
            shared = PromptTokenizer.load(dir());
        }
        return shared;
    }

    /**
     * A shared tokenizer over the fixture whose vocabulary is the plain Java one (its parsed form
     * cached in a temporary folder), as the pipeline loads it; not to be closed.
     */
    public static synchronized PromptTokenizer sharedPlainJava() {
        if (sharedPlainJava == null) {
            try {
                Path cache = Files.createTempDirectory("qwen2-tokenizer-cache");
                cache.toFile().deleteOnExit();
                sharedPlainJava = PromptTokenizer.loadInBackground(dir(), cache);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return sharedPlainJava;
    }

    /** Either shared tokenizer: {@code "native"} or {@code "plain Java"}. */
    static PromptTokenizer shared(String vocabulary) {
        return switch (vocabulary) {
            case "native" -> shared();
            case "plain Java" -> sharedPlainJava();
            default -> throw new IllegalArgumentException(vocabulary);
        };
    }

    private static void unpack(String resource, Path target, boolean gzip) throws IOException {
        try (InputStream raw = Qwen2Tokenizer.class.getResourceAsStream("/qwen2-tokenizer/" + resource);
             InputStream in = gzip ? new GZIPInputStream(raw) : raw) {
            Files.copy(in, target);
        }
        target.toFile().deleteOnExit();
    }
}

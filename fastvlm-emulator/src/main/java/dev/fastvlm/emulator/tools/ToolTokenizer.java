package dev.fastvlm.emulator.tools;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.fastvlm.genie.tokenizer.ByteLevelBpe;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The tokenizer of the emulated {@code genie-t2t-run}: ids of text without special tokens added,
 * and text of ids with special tokens kept.
 */
interface ToolTokenizer extends AutoCloseable {

    /**
     * The ids of a text, nothing added and nothing cut.
     *
     * @param text the text
     * @return its ids
     */
    long[] encode(String text);

    /**
     * The text of ids, special tokens included; ids the tokenizer has no token for are skipped.
     *
     * @param ids the ids
     * @return their text
     */
    String decode(long[] ids);

    @Override
    void close();

    /**
     * Opens a {@code tokenizer.json}: in plain Java when its shape is {@link ByteLevelBpe}'s (Qwen2's
     * is), else through DJL's native HuggingFace library.
     *
     * @param tokenizerJson the file
     * @param cache         a folder where the plain Java tokenizer keeps the file's parsed form, if any
     * @return the tokenizer
     * @throws IOException when the file cannot be read
     */
    static ToolTokenizer open(Path tokenizerJson, Optional<Path> cache) throws IOException {
        Optional<ByteLevelBpe> java = cache.isPresent() ? ByteLevelBpe.load(tokenizerJson, cache.get())
                : ByteLevelBpe.load(tokenizerJson);
        return java.isPresent() ? new PlainJava(java.get()) : djl(tokenizerJson);
    }

    /**
     * The plain Java tokenizer, which holds nothing to free.
     *
     * @param bpe the tokenizer
     */
    record PlainJava(ByteLevelBpe bpe) implements ToolTokenizer {
        @Override
        public long[] encode(String text) {
            return bpe.encode(text);
        }

        @Override
        public String decode(long[] ids) {
            return bpe.decode(ids);
        }

        @Override
        public void close() {
            // nothing native to free
        }
    }

    /**
     * The native library's tokenizer, as the emulator used before it had its own.
     *
     * @param tokenizerJson the file
     * @return the tokenizer
     * @throws IOException when the file cannot be read
     */
    static ToolTokenizer djl(Path tokenizerJson) throws IOException {
        // truncation off: DJL would otherwise cut every encoding at 512 tokens, which Genie's tokenizer does not
        HuggingFaceTokenizer djl = HuggingFaceTokenizer.builder().optTokenizerPath(tokenizerJson)
                .optAddSpecialTokens(false).optTruncation(false).optPadding(false).build();
        return new ToolTokenizer() {
            @Override
            public long[] encode(String text) {
                return djl.encode(text).getIds();
            }

            @Override
            public String decode(long[] ids) {
                return djl.decode(ids, false);
            }

            @Override
            public void close() {
                djl.close();
            }
        };
    }
}

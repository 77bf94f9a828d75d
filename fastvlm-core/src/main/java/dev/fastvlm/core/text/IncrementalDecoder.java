package dev.fastvlm.core.text;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns generated token ids into text as they arrive, for streaming. A byte-level BPE token can
 * end in the middle of a UTF-8 character; such a piece is held back until the tokens that
 * complete it arrive, so every returned piece is whole text and each character is returned once.
 * Not thread-safe: one decoder per generation.
 */
public final class IncrementalDecoder {
    private static final char REPLACEMENT = '\uFFFD';

    private final Function<int[], String> decode;
    private int[] ids = new int[64];
    private int size;
    /** Start of the window re-decoded each step: a little context keeps spacing right. */
    private int prefixOffset;
    /** End of what has already been returned. */
    private int readOffset;

    IncrementalDecoder(Function<int[], String> decode) {
        this.decode = decode;
    }

    /**
     * Adds one generated id and returns the text it completes: empty while a multi-byte character
     * is still incomplete, otherwise the new whole characters.
     *
     * @param id the next generated token id
     * @return the new text, possibly empty
     */
    public String push(int id) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = id;
        String prefixText = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String text = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
        if (text.length() > prefixText.length() && text.charAt(text.length() - 1) != REPLACEMENT) {
            prefixOffset = readOffset;
            readOffset = size;
            return text.substring(prefixText.length());
        }
        return "";
    }

    /**
     * Ends the stream: returns what is still held back (an incomplete character comes out as
     * U+FFFD, as HuggingFace's decode with {@code errors="replace"} would show it).
     *
     * @return the rest of the text, possibly empty
     */
    public String finish() {
        String prefixText = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String text = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
        prefixOffset = readOffset = size;
        return text.length() > prefixText.length() ? text.substring(prefixText.length()) : "";
    }
}

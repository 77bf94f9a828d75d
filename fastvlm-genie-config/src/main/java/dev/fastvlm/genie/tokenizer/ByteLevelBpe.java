package dev.fastvlm.genie.tokenizer;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * A HuggingFace byte-level BPE tokenizer (GPT-2's scheme, as Qwen2's {@code tokenizer.json} is) in
 * plain Java: it encodes and decodes as the {@code tokenizers} library does for that shape, without
 * its native library, and keeps the file's parsed form in a cache folder so that a fresh JVM reads
 * it in about a tenth of a second instead of parsing 11 MB of JSON. The native library through DJL
 * costs every fresh JVM its load and a parse of the whole vocabulary (0.8-1 s of CPU), which is
 * most of a one-shot command's time: the SDK's prompt tokenizer and the emulated
 * {@code genie-t2t-run} (a stand-in for a native program whose tokenizer is ready in milliseconds)
 * both read the file through this class when its shape is this class's, and through DJL otherwise.
 *
 * <p>Only the shape it fully implements is taken ({@link #load} says empty otherwise): an NFC or no
 * normalizer; a {@code Split} pre-tokenizer with a regex and {@code Isolated} behaviour followed by
 * a {@code ByteLevel} one without prefix space or regex (or a {@code ByteLevel} with GPT-2's regex
 * alone); a {@code BPE} model without dropout, unknown token, affixes or byte fallback; a
 * {@code ByteLevel} decoder; added tokens that are matched on the raw text (not normalized, no
 * stripping, not single-word). The post-processor is not applied: it encodes without special
 * tokens added. Nothing is truncated or padded. Immutable and safe to use from any thread.
 */
public final class ByteLevelBpe {
    /** GPT-2's pre-tokenizer regex, which {@code ByteLevel} with {@code use_regex} applies. */
    private static final String GPT2_REGEX =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";
    /** GPT-2's {@code bytes_to_unicode}: each byte's printable stand-in character. */
    private static final char[] BYTE_CHAR = new char[256];
    /** Its inverse, indexed by character (all stand-ins are below U+0144). */
    private static final int[] CHAR_BYTE = new int[0x144];
    /** Begins and ends a cache file ("BPE1"). */
    private static final int CACHE_MAGIC = 0x42504531;

    static {
        Arrays.fill(CHAR_BYTE, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (256 + next++);
            BYTE_CHAR[b] = c;
            CHAR_BYTE[c] = b;
        }
    }

    private final String regex;
    private final Pattern split;
    private final boolean nfc;
    /** The id of each byte's one-character token, or -1 when the vocabulary has none. */
    private final int[] byteIds;
    /** Where each id's decoded bytes start in {@link #text}, or -1 for an id without a token; one more entry ends the last. */
    private final int[] starts;
    private final byte[] text;
    /** Merges in rank order: the pair's ids and the merged token's id. */
    private final int[] mergeLeft;
    private final int[] mergeRight;
    private final int[] mergeResult;
    private final MergeTable merges;
    /** Added tokens' contents, longest first, with their ids. */
    private final String[] added;
    private final int[] addedIds;

    private ByteLevelBpe(String regex, boolean nfc, int[] byteIds, int[] starts, byte[] text, int[] mergeLeft,
                         int[] mergeRight, int[] mergeResult, String[] added, int[] addedIds) {
        this.regex = regex;
        this.split = Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
        this.nfc = nfc;
        this.byteIds = byteIds;
        this.starts = starts;
        this.text = text;
        this.mergeLeft = mergeLeft;
        this.mergeRight = mergeRight;
        this.mergeResult = mergeResult;
        this.added = added;
        this.addedIds = addedIds;
        this.merges = new MergeTable(mergeLeft.length);
        for (int rank = 0; rank < mergeLeft.length; rank++) {
            merges.put(mergeLeft[rank], mergeRight[rank], rank, mergeResult[rank]);
        }
    }

    /**
     * Reads a {@code tokenizer.json} of the supported shape.
     *
     * @param tokenizerJson the file
     * @return the tokenizer, or empty when the file holds anything this class does not implement
     * @throws IOException when the file cannot be read or is not JSON
     */
    public static Optional<ByteLevelBpe> load(Path tokenizerJson) throws IOException {
        return parse(Files.readAllBytes(tokenizerJson));
    }

    /**
     * {@link #load(Path)} through a cache folder: the file's parsed form is kept there under the
     * file's size and checksums, and read back instead of parsing the file again (about a tenth of a
     * second of a fresh JVM's time instead of about a second). A cache file that is missing,
     * unreadable or not right is ignored (and replaced); one that cannot be written is not kept.
     *
     * @param tokenizerJson the file
     * @param cache         the cache folder (created when missing)
     * @return the tokenizer, or empty when the file holds anything this class does not implement
     * @throws IOException when the tokenizer file cannot be read or is not JSON
     */
    public static Optional<ByteLevelBpe> load(Path tokenizerJson, Path cache) throws IOException {
        byte[] json = Files.readAllBytes(tokenizerJson);
        CRC32C crc32c = new CRC32C();
        crc32c.update(json);
        CRC32 crc32 = new CRC32();
        crc32.update(json);
        String key = String.format("bpe-%d-%08x%08x.bin", json.length, crc32c.getValue(), crc32.getValue());
        Path cached = cache.resolve(key);
        try {
            Optional<ByteLevelBpe> read = read(Files.readAllBytes(cached));
            if (read.isPresent()) {
                return read;
            }
        } catch (IOException | RuntimeException e) {
            // not there yet, or not a file this class wrote: parse and write it again
        }
        Optional<ByteLevelBpe> parsed = parse(json);
        if (parsed.isPresent()) {
            try {
                Files.createDirectories(cache);
                Path temp = Files.createTempFile(cache, ".bpe-", ".tmp");
                try {
                    Files.write(temp, parsed.get().serialized());
                    Files.move(temp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } finally {
                    Files.deleteIfExists(temp);
                }
            } catch (IOException e) {
                // a cache that cannot be written only costs the next run the parse
            }
        }
        return parsed;
    }

    private static Optional<ByteLevelBpe> parse(byte[] jsonBytes) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Map<String, JsonNode> sections = new HashMap<>();
        Map<String, Integer> vocab = null;
        List<String[]> mergePairs = null;
        // Streamed: a tree of the 11 MB file's 300,000 vocabulary and merge entries would cost more
        // than the whole emulated run.
        try (JsonParser p = new JsonFactory(json).createParser(jsonBytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("model")) {
                    sections.put(field, p.readValueAsTree());
                    continue;
                }
                if (p.currentToken() != JsonToken.START_OBJECT) {
                    return Optional.empty();
                }
                Map<String, JsonNode> model = new HashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    switch (key) {
                        case "vocab" -> vocab = readVocab(p);
                        case "merges" -> mergePairs = readMerges(p);
                        default -> model.put(key, p.readValueAsTree());
                    }
                    if ((key.equals("vocab") && vocab == null) || (key.equals("merges") && mergePairs == null)) {
                        return Optional.empty();
                    }
                }
                sections.put("model", json.valueToTree(model));
            }
        }
        if (vocab == null || mergePairs == null) {
            return Optional.empty();
        }
        return build(sections, vocab, mergePairs);
    }

    private static Map<String, Integer> readVocab(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            return null;
        }
        Map<String, Integer> vocab = new HashMap<>(1 << 18);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String token = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT) {
                return null;
            }
            vocab.put(token, p.getIntValue());
        }
        return vocab;
    }

    /** Merges as {@code "a b"} strings (older files) or {@code ["a", "b"]} pairs (newer ones). */
    private static List<String[]> readMerges(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return null;
        }
        List<String[]> merges = new ArrayList<>(1 << 18);
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
            if (t == JsonToken.VALUE_STRING) {
                String merge = p.getText();
                int space = merge.indexOf(' ');
                if (space <= 0 || merge.indexOf(' ', space + 1) >= 0) {
                    return null;
                }
                merges.add(new String[] {merge.substring(0, space), merge.substring(space + 1)});
            } else if (t == JsonToken.START_ARRAY) {
                String a = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                String b = p.nextToken() == JsonToken.VALUE_STRING ? p.getText() : null;
                if (a == null || b == null || p.nextToken() != JsonToken.END_ARRAY) {
                    return null;
                }
                merges.add(new String[] {a, b});
            } else {
                return null;
            }
        }
        return merges;
    }

    private static Optional<ByteLevelBpe> build(Map<String, JsonNode> s, Map<String, Integer> vocab,
                                                List<String[]> mergePairs) {
        JsonNode model = s.get("model");
        if (!model.path("type").asText("BPE").equals("BPE") || (model.has("dropout") && !model.get("dropout").isNull())
                || (model.has("unk_token") && !model.get("unk_token").isNull())
                || !model.path("continuing_subword_prefix").asText("").isEmpty()
                || !model.path("end_of_word_suffix").asText("").isEmpty()
                || model.path("byte_fallback").asBoolean(false) || model.path("ignore_merges").asBoolean(false)) {
            return Optional.empty();
        }
        JsonNode normalizer = s.get("normalizer");
        boolean nfc;
        if (normalizer == null || normalizer.isNull()) {
            nfc = false;
        } else if (normalizer.path("type").asText().equals("NFC")) {
            nfc = true;
        } else {
            return Optional.empty();
        }
        Optional<String> split = preTokenizer(s.get("pre_tokenizer"));
        JsonNode decoder = s.get("decoder");
        if (split.isEmpty() || decoder == null || !decoder.path("type").asText().equals("ByteLevel")) {
            return Optional.empty();
        }
        int size = 0;
        for (int id : vocab.values()) {
            if (id < 0) {
                return Optional.empty();
            }
            size = Math.max(size, id + 1);
        }
        JsonNode addedTokens = s.get("added_tokens");
        List<JsonNode> addedList = new ArrayList<>();
        if (addedTokens != null && !addedTokens.isNull()) {
            for (JsonNode t : addedTokens) {
                if (t.path("normalized").asBoolean(true) || t.path("lstrip").asBoolean(false)
                        || t.path("rstrip").asBoolean(false) || t.path("single_word").asBoolean(false)
                        || !t.path("id").canConvertToInt() || t.path("id").asInt() < 0
                        || t.path("content").asText().isEmpty()) {
                    return Optional.empty();
                }
                addedList.add(t);
                size = Math.max(size, t.path("id").asInt() + 1);
            }
        }
        String[] tokens = new String[size];
        vocab.forEach((token, id) -> tokens[id] = token);
        // longest first, so that among added tokens starting at one place the longest wins
        addedList.sort((a, b) -> b.path("content").asText().length() - a.path("content").asText().length());
        String[] added = new String[addedList.size()];
        int[] addedIds = new int[addedList.size()];
        for (int i = 0; i < added.length; i++) {
            added[i] = addedList.get(i).path("content").asText();
            addedIds[i] = addedList.get(i).path("id").asInt();
            // the library looks an id up among the added tokens first
            tokens[addedIds[i]] = added[i];
        }
        int[] starts = new int[size + 1];
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        for (int id = 0; id < size; id++) {
            starts[id] = tokens[id] == null ? -1 : text.size();
            if (tokens[id] != null) {
                text.writeBytes(decoded(tokens[id]));
            }
        }
        starts[size] = text.size();
        int[] byteIds = new int[256];
        for (int b = 0; b < 256; b++) {
            Integer id = vocab.get(String.valueOf(BYTE_CHAR[b]));
            byteIds[b] = id == null ? -1 : id;
        }
        int n = mergePairs.size();
        int[] left = new int[n];
        int[] right = new int[n];
        int[] result = new int[n];
        for (int rank = 0; rank < n; rank++) {
            String[] pair = mergePairs.get(rank);
            Integer a = vocab.get(pair[0]);
            Integer b = vocab.get(pair[1]);
            Integer merged = vocab.get(pair[0] + pair[1]);
            if (a == null || b == null || merged == null) {
                // the library refuses such a file
                return Optional.empty();
            }
            left[rank] = a;
            right[rank] = b;
            result[rank] = merged;
        }
        return Optional.of(new ByteLevelBpe(split.get(), nfc, byteIds, starts, text.toByteArray(), left, right,
                result, added, addedIds));
    }

    /**
     * The bytes a token decodes to: through the byte-level table when all its characters are in it,
     * else its own UTF-8 (an added token with a space, say), as the library's decoder does.
     */
    private static byte[] decoded(String token) {
        byte[] mapped = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (c >= CHAR_BYTE.length || CHAR_BYTE[c] < 0) {
                return token.getBytes(StandardCharsets.UTF_8);
            }
            mapped[i] = (byte) CHAR_BYTE[c];
        }
        return mapped;
    }

    /** This tokenizer in the cache's form, which {@link #read} reads back. */
    private byte[] serialized() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(CACHE_MAGIC);
            out.writeUTF(regex);
            out.writeBoolean(nfc);
            out.writeInt(added.length);
            for (int i = 0; i < added.length; i++) {
                out.writeUTF(added[i]);
                out.writeInt(addedIds[i]);
            }
            writeInts(out, byteIds);
            writeInts(out, starts);
            out.writeInt(text.length);
            out.write(text);
            writeInts(out, mergeLeft);
            writeInts(out, mergeRight);
            writeInts(out, mergeResult);
            out.writeInt(CACHE_MAGIC);
        }
        return bytes.toByteArray();
    }

    /**
     * A cache file back, checked throughout (it sits in a folder the device's user can write):
     * empty or an exception for anything that is not what {@link #serialized} wrote.
     */
    private static Optional<ByteLevelBpe> read(byte[] file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(file);
        if (b.remaining() < 8 || b.getInt() != CACHE_MAGIC) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(file, 4, file.length - 4))) {
            String regex = in.readUTF();
            boolean nfc = in.readBoolean();
            int count = in.readInt();
            if (count < 0 || count > 1 << 16) {
                return Optional.empty();
            }
            String[] added = new String[count];
            int[] addedIds = new int[count];
            for (int i = 0; i < count; i++) {
                added[i] = in.readUTF();
                addedIds[i] = in.readInt();
            }
            int[] byteIds = readInts(in, file.length);
            int[] starts = readInts(in, file.length);
            int textLength = in.readInt();
            if (textLength < 0 || textLength > file.length) {
                return Optional.empty();
            }
            byte[] text = in.readNBytes(textLength);
            int[] left = readInts(in, file.length);
            int[] right = readInts(in, file.length);
            int[] result = readInts(in, file.length);
            if (in.readInt() != CACHE_MAGIC || in.read() != -1 || text.length != textLength || byteIds.length != 256
                    || starts.length == 0 || starts[starts.length - 1] != textLength || left.length != right.length
                    || left.length != result.length) {
                return Optional.empty();
            }
            int size = starts.length - 1;
            int end = textLength;
            for (int id = size - 1; id >= 0; id--) {
                if (starts[id] >= 0) {
                    if (starts[id] > end) {
                        return Optional.empty();
                    }
                    end = starts[id];
                }
            }
            for (int id : byteIds) {
                if (id >= size) {
                    return Optional.empty();
                }
            }
            for (int i = 0; i < count; i++) {
                if (added[i].isEmpty() || addedIds[i] < 0 || addedIds[i] >= size) {
                    return Optional.empty();
                }
            }
            for (int i = 0; i < left.length; i++) {
                if (left[i] < 0 || left[i] >= size || right[i] < 0 || right[i] >= size || result[i] < 0
                        || result[i] >= size) {
                    return Optional.empty();
                }
            }
            return Optional.of(new ByteLevelBpe(regex, nfc, byteIds, starts, text, left, right, result, added,
                    addedIds));
        } catch (EOFException | PatternSyntaxException e) {
            return Optional.empty();
        }
    }

    private static void writeInts(DataOutputStream out, int[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4);
        b.asIntBuffer().put(values);
        out.writeInt(values.length);
        out.write(b.array());
    }

    private static int[] readInts(DataInputStream in, int limit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > limit / 4) {
            throw new EOFException("bad length");
        }
        byte[] raw = in.readNBytes(n * 4);
        if (raw.length != n * 4) {
            throw new EOFException("short");
        }
        int[] values = new int[n];
        ByteBuffer.wrap(raw).asIntBuffer().get(values);
        return values;
    }

    /** The regex of a supported pre-tokenizer, in Java's dialect of Oniguruma's (Unicode classes). */
    private static Optional<String> preTokenizer(JsonNode pre) {
        if (pre == null || pre.isNull()) {
            return Optional.empty();
        }
        String regex;
        if (pre.path("type").asText().equals("ByteLevel")) {
            if (pre.path("add_prefix_space").asBoolean(true) || !pre.path("use_regex").asBoolean(true)) {
                return Optional.empty();
            }
            regex = GPT2_REGEX;
        } else if (pre.path("type").asText().equals("Sequence") && pre.path("pretokenizers").size() == 2) {
            JsonNode first = pre.path("pretokenizers").get(0);
            JsonNode second = pre.path("pretokenizers").get(1);
            if (!first.path("type").asText().equals("Split") || !first.path("behavior").asText().equals("Isolated")
                    || first.path("invert").asBoolean(false) || !first.path("pattern").has("Regex")
                    || !second.path("type").asText().equals("ByteLevel")
                    || second.path("add_prefix_space").asBoolean(true) || second.path("use_regex").asBoolean(true)) {
                return Optional.empty();
            }
            regex = first.path("pattern").path("Regex").asText();
        } else {
            return Optional.empty();
        }
        try {
            Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            return Optional.of(regex);
        } catch (PatternSyntaxException e) {
            return Optional.empty();
        }
    }

    /**
     * The ids of a text, nothing added and nothing cut; added tokens' text (such as
     * {@code <|im_end|>}) becomes the added token, as the library does with special tokens not added.
     *
     * @param text the text
     * @return its ids
     */
    public long[] encode(String text) {
        LongList ids = new LongList();
        int from = 0;
        while (from <= text.length()) {
            // the next added token: the leftmost, the longest of those starting there
            int at = -1;
            int which = -1;
            for (int i = 0; i < added.length; i++) {
                int found = text.indexOf(added[i], from);
                if (found >= 0 && (at < 0 || found < at)) {
                    at = found;
                    which = i;
                }
            }
            encodeText(text.substring(from, at < 0 ? text.length() : at), ids);
            if (at < 0) {
                break;
            }
            ids.add(addedIds[which]);
            from = at + added[which].length();
        }
        return ids.toArray();
    }

    /** Normalizes, splits and BPE-encodes text that holds no added token. */
    private void encodeText(String text, LongList ids) {
        if (text.isEmpty()) {
            return;
        }
        String normalized = nfc ? Normalizer.normalize(text, Normalizer.Form.NFC) : text;
        Matcher m = split.matcher(normalized);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) {
                encodeWord(normalized.substring(last, m.start()), ids);
            }
            if (m.end() > m.start()) {
                encodeWord(m.group(), ids);
            }
            last = m.end();
        }
        if (last < normalized.length()) {
            encodeWord(normalized.substring(last), ids);
        }
    }

    /** One pre-token: its UTF-8 bytes as byte-level characters, merged by rank, lowest (then leftmost) first. */
    private void encodeWord(String word, LongList ids) {
        byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
        int[] symbols = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            // no unknown token and no byte fallback: the library drops a byte it has no token for
            symbols[i] = byteIds[bytes[i] & 0xff];
        }
        int n = 0;
        for (int s : symbols) {
            if (s >= 0) {
                symbols[n++] = s;
            }
        }
        while (n > 1) {
            int best = -1;
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < n; i++) {
                int rank = merges.rank(symbols[i], symbols[i + 1]);
                if (rank >= 0 && rank < bestRank) {
                    bestRank = rank;
                    best = i;
                }
            }
            if (best < 0) {
                break;
            }
            symbols[best] = merges.merged(symbols[best], symbols[best + 1]);
            System.arraycopy(symbols, best + 2, symbols, best + 1, n - best - 2);
            n--;
        }
        for (int i = 0; i < n; i++) {
            ids.add(symbols[i]);
        }
    }

    /**
     * The text of ids, special tokens included; ids the tokenizer has no token for are skipped, as the
     * library does.
     *
     * @param ids the ids
     * @return their text
     */
    public String decode(long[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int size = starts.length - 1;
        for (long id : ids) {
            // the library skips ids it has no token for
            if (id >= 0 && id < size && starts[(int) id] >= 0) {
                int start = starts[(int) id];
                int end = textEnd((int) id);
                bytes.write(text, start, end - start);
            }
        }
        return new String(bytes.toByteArray(), StandardCharsets.UTF_8);
    }

    /** Where an id's bytes end: at the next id that has a token. */
    private int textEnd(int id) {
        for (int next = id + 1; ; next++) {
            if (starts[next] >= 0) {
                return starts[next];
            }
        }
    }

    /** Merge ranks and results by token pair, in an open-addressed table of longs (no boxing of 150,000 entries). */
    private static final class MergeTable {
        private final long[] keys;
        private final long[] values;
        private final int mask;

        MergeTable(int entries) {
            int capacity = Integer.highestOneBit(Math.max(4, entries * 2 - 1)) << 1;
            keys = new long[capacity];
            values = new long[capacity];
            Arrays.fill(keys, -1L);
            mask = capacity - 1;
        }

        private static long key(int a, int b) {
            return ((long) a << 32) | (b & 0xffffffffL);
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            int i = (int) (h >>> 40) & mask;
            while (keys[i] != -1L && keys[i] != key) {
                i = (i + 1) & mask;
            }
            return i;
        }

        /** A pair listed twice keeps its last merge, as the library's map of merges does. */
        void put(int a, int b, int rank, int merged) {
            long key = key(a, b);
            int i = slot(key);
            keys[i] = key;
            values[i] = ((long) rank << 32) | (merged & 0xffffffffL);
        }

        int rank(int a, int b) {
            int i = slot(key(a, b));
            return keys[i] == -1L ? -1 : (int) (values[i] >>> 32);
        }

        int merged(int a, int b) {
            return (int) values[slot(key(a, b))];
        }
    }

    /** A growable list of ids. */
    private static final class LongList {
        private long[] items = new long[64];
        private int size;

        void add(long v) {
            if (size == items.length) {
                items = Arrays.copyOf(items, size * 2);
            }
            items[size++] = v;
        }

        long[] toArray() {
            return Arrays.copyOf(items, size);
        }
    }
}

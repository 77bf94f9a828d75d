package dev.fastvlm.core.text;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.ModelArtifactException;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

/**
 * Encodes text in which a span (the user's prompt) must not produce special tokens: HuggingFace's
 * {@code split_special_tokens=True}, applied to that span only. Outside the span, special-token
 * text (the chat template's own {@code <|im_start|>} ...) still becomes the special token.
 *
 * <p>It holds a second native tokenizer built from {@code tokenizer.json} whose special added
 * tokens are renamed to random strings nobody can type, so their usual text goes through the
 * normal pre-tokenizer and BPE like any text. Renaming rather than removing keeps every id where
 * it was (the native tokenizer renumbers the added tokens that follow a removed one).
 * Non-special added tokens stay matchable, as in HuggingFace.
 */
final class LiteralEncoder implements AutoCloseable {

    private final HuggingFaceTokenizer plain;
    /** Special token texts, longest first so that the longest match wins. */
    private final List<String> specialTexts;
    private final Map<String, Integer> specialIds;

    private LiteralEncoder(HuggingFaceTokenizer plain, Map<String, Integer> specialIds) {
        this.plain = plain;
        this.specialIds = Map.copyOf(specialIds);
        List<String> texts = new ArrayList<>(specialIds.keySet());
        texts.sort(Comparator.comparingInt(String::length).reversed());
        this.specialTexts = List.copyOf(texts);
    }

    static LiteralEncoder load(Path tokenizerJson) {
        Map<String, Integer> specialIds = new HashMap<>();
        byte[] json;
        try {
            json = Files.readAllBytes(tokenizerJson);
        } catch (IOException e) {
            throw new ModelArtifactException("tokenizer: cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
        // Only the small added_tokens array changes: splice it instead of rewriting 11 MB of vocabulary.
        ByteArrayOutputStream replaced = new ByteArrayOutputStream();
        long arrayStart = -1;
        long arrayEnd = -1;
        JsonFactory factory = new ObjectMapper().getFactory();
        try (JsonParser in = factory.createParser(json);
             JsonGenerator out = factory.createGenerator(replaced)) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new ModelArtifactException("tokenizer: " + tokenizerJson + " is not a JSON object");
            }
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                boolean added = "added_tokens".equals(in.currentName());
                JsonToken value = in.nextToken();
                if (added && value == JsonToken.START_ARRAY) {
                    arrayStart = in.currentTokenLocation().getByteOffset();
                    writeUnmatchableSpecials(in.readValueAsTree(), out, specialIds);
                    arrayEnd = in.currentTokenLocation().getByteOffset() + 1;
                    break;
                }
                in.skipChildren();
            }
        } catch (IOException e) {
            throw new ModelArtifactException("tokenizer: cannot parse " + tokenizerJson + ": " + e.getMessage(), e);
        }
        if (arrayStart < 0) {
            throw new ModelArtifactException("tokenizer: " + tokenizerJson + " has no added_tokens array");
        }
        ByteArrayOutputStream spliced = new ByteArrayOutputStream(json.length);
        spliced.write(json, 0, (int) arrayStart);
        spliced.writeBytes(replaced.toByteArray());
        spliced.write(json, (int) arrayEnd, json.length - (int) arrayEnd);
        HuggingFaceTokenizer plain = DjlTokenizers.fromJson(spliced.toByteArray(), tokenizerJson);
        return new LiteralEncoder(plain, specialIds);
    }

    /**
     * The texts of the special added tokens, read from the head of {@code tokenizer.json} without
     * building a tokenizer; empty when matching them on the raw text would not be exact (a special
     * token matched after normalization, or one that strips spaces around it), so that only the
     * literal encoder can tell.
     *
     * @throws ModelArtifactException when the file cannot be read or has no added_tokens array
     */
    static java.util.Optional<List<String>> rawSpecialTexts(Path tokenizerJson) {
        try (JsonParser in = new ObjectMapper().getFactory().createParser(tokenizerJson.toFile())) {
            if (in.nextToken() != JsonToken.START_OBJECT) {
                throw new ModelArtifactException("tokenizer: " + tokenizerJson + " is not a JSON object");
            }
            while (in.nextToken() == JsonToken.FIELD_NAME) {
                boolean added = "added_tokens".equals(in.currentName());
                if (in.nextToken() == JsonToken.START_ARRAY && added) {
                    List<String> texts = new ArrayList<>();
                    for (JsonNode token : (JsonNode) in.readValueAsTree()) {
                        if (!token.path("special").asBoolean(false)) {
                            continue;
                        }
                        if (token.path("normalized").asBoolean(false) || token.path("lstrip").asBoolean(false)
                                || token.path("rstrip").asBoolean(false) || token.path("single_word").asBoolean(false)) {
                            return java.util.Optional.empty();
                        }
                        texts.add(token.path("content").asText());
                    }
                    return java.util.Optional.of(List.copyOf(texts));
                }
                in.skipChildren();
            }
        } catch (IOException e) {
            throw new ModelArtifactException("tokenizer: cannot parse " + tokenizerJson + ": " + e.getMessage(), e);
        }
        throw new ModelArtifactException("tokenizer: " + tokenizerJson + " has no added_tokens array");
    }

    private static void writeUnmatchableSpecials(JsonNode addedTokens, JsonGenerator out,
                                                 Map<String, Integer> specialIds) throws IOException {
        String nonce = UUID.randomUUID().toString();
        out.writeStartArray();
        if (addedTokens != null) {
            for (JsonNode token : addedTokens) {
                if (token.path("special").asBoolean(false) && token instanceof ObjectNode object) {
                    specialIds.put(token.path("content").asText(), token.path("id").asInt());
                    ObjectNode renamed = object.deepCopy();
                    renamed.put("content", "\uE000fastvlm-literal-" + nonce + "-" + token.path("id").asInt() + "\uE001");
                    out.writeTree(renamed);
                } else {
                    out.writeTree(token);
                }
            }
        }
        out.writeEndArray();
    }

    /**
     * Encodes {@code text} without added special tokens, recognising special-token text only
     * outside {@code [userStart, userEnd)}.
     */
    int[] encode(String text, int userStart, int userEnd) {
        return encode(text, List.of(new int[] {userStart, userEnd}));
    }

    /**
     * Encodes {@code text} without added special tokens, recognising special-token text only
     * outside the literal spans: each {@code [start, end)}, in order and not overlapping.
     */
    int[] encode(String text, List<int[]> literalSpans) {
        IntStream.Builder out = IntStream.builder();
        int plainStart = 0;
        int i = 0;
        int span = 0;
        while (i < text.length()) {
            while (span < literalSpans.size() && literalSpans.get(span)[1] <= i) {
                span++;
            }
            int spanStart = span < literalSpans.size() ? literalSpans.get(span)[0] : text.length();
            if (i >= spanStart) {
                i = literalSpans.get(span)[1];
                continue;
            }
            String match = specialAt(text, i, spanStart);
            if (match == null) {
                i++;
                continue;
            }
            addAll(out, encodePlain(text.substring(plainStart, i)));
            out.add(specialIds.get(match));
            i += match.length();
            plainStart = i;
        }
        addAll(out, encodePlain(text.substring(plainStart)));
        return out.build().toArray();
    }

    /** Encodes text that is all user text, with the tokenizer's added special tokens. */
    int[] encodeAll(String text) {
        return DjlTokenizers.ids(plain.encode(text, true, false));
    }

    private static void addAll(IntStream.Builder out, int[] ids) {
        for (int id : ids) {
            out.add(id);
        }
    }

    private String specialAt(String text, int i, int limit) {
        for (String special : specialTexts) {
            if (i + special.length() <= limit && text.startsWith(special, i)) {
                return special;
            }
        }
        return null;
    }

    private int[] encodePlain(String text) {
        return text.isEmpty() ? new int[0] : DjlTokenizers.ids(plain.encode(text, false, false));
    }

    @Override
    public void close() {
        plain.close();
    }
}

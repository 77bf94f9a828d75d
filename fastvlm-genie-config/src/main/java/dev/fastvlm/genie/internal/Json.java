package dev.fastvlm.genie.internal;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.FastVlmException;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The one JSON setup of this module: parsing, stable pretty printing, atomic file writes. Not API. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final ObjectWriter PRETTY = MAPPER.writer(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));

    private Json() {
    }

    /**
     * An empty object node to fill and write with {@link #pretty}.
     *
     * @return a new, empty object node
     */
    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /**
     * Parses {@code json}; on malformed text returns null after describing the error to {@code error}.
     *
     * @param json the text to parse
     * @param error receives a one-line description (with line and column) when the text is not JSON or empty
     * @return the parsed tree, or null when the text is empty or malformed
     */
    public static JsonNode parse(String json, StringBuilder error) {
        try {
            JsonNode node = MAPPER.readTree(json);
            if (node == null || node.isMissingNode()) {
                error.append("is empty");
                return null;
            }
            return node;
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage();
            int context = problem.indexOf(" (for ");
            error.append("is not valid JSON: ").append(context < 0 ? problem : problem.substring(0, context))
                    .append(" at line ").append(e.getLocation() == null ? "?" : e.getLocation().getLineNr())
                    .append(", column ").append(e.getLocation() == null ? "?" : e.getLocation().getColumnNr());
            return null;
        }
    }

    /**
     * The keys that appear more than once in the top-level object of {@code json} (Genie rejects a
     * repeated top-level key; deeper repeats it resolves as the last one, as Jackson does). Empty
     * when the text is not a JSON object or is malformed: {@link #parse} reports that.
     *
     * @param json the text of a JSON document
     * @return the repeated keys, in the order their repeats appear
     */
    public static List<String> repeatedTopLevelKeys(String json) {
        List<String> repeated = new ArrayList<>();
        try (JsonParser parser = MAPPER.getFactory().createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return repeated;
            }
            Set<String> seen = new HashSet<>();
            for (JsonToken t = parser.nextToken(); t == JsonToken.FIELD_NAME; t = parser.nextToken()) {
                if (!seen.add(parser.currentName())) {
                    repeated.add(parser.currentName());
                }
                parser.nextToken();
                parser.skipChildren();
            }
        } catch (IOException e) {
            return repeated;
        }
        return repeated;
    }

    /**
     * {@code typed} written over {@code old}: keys of {@code old} that {@code modelled} does not list
     * for this object's path are kept where they were; modelled keys take {@code typed}'s value (or
     * go, when {@code typed} lacks them), and nested objects that both sides have and whose path is
     * listed are merged the same way. Keys new in {@code typed} are appended.
     *
     * @param old      the object as it was, or null
     * @param typed    the object a typed model wrote
     * @param path     this object's path in {@code modelled}, e.g. {@code engine.backend}
     * @param modelled for each object path, the keys a typed model owns
     * @return a new object
     */
    public static ObjectNode merge(JsonNode old, ObjectNode typed, String path, Map<String, Set<String>> modelled) {
        Set<String> owned = modelled.get(path);
        if (old == null || !old.isObject() || owned == null) {
            return typed.deepCopy();
        }
        ObjectNode out = object();
        for (Map.Entry<String, JsonNode> e : old.properties()) {
            String key = e.getKey();
            if (!owned.contains(key)) {
                out.set(key, e.getValue().deepCopy());
            } else if (typed.has(key)) {
                JsonNode value = typed.get(key);
                String child = path + "." + key;
                out.set(key, value.isObject() && e.getValue().isObject() && modelled.containsKey(child)
                        ? merge(e.getValue(), (ObjectNode) value, child, modelled) : value.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : typed.properties()) {
            if (!out.has(e.getKey()) && !(old.has(e.getKey()) && !owned.contains(e.getKey()))) {
                out.set(e.getKey(), e.getValue().deepCopy());
            }
        }
        return out;
    }

    /**
     * The same tree as a parser would read it back from text, so that trees built in code and trees
     * parsed from files compare equal (1000000 as a long and as an int are one number).
     *
     * @param node a tree
     * @return an equal tree with the node types a parser gives
     */
    public static JsonNode normalized(JsonNode node) {
        try {
            return MAPPER.readTree(MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written back", e);
        }
    }

    /**
     * Pretty-printed JSON with two-space indentation, "key": value spacing and a final newline.
     *
     * @param node the tree to write
     * @return the text, ending with a newline
     */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /**
     * Adds a number, written as an integer when it has no fraction (so 1000000 stays 1000000).
     *
     * @param node the object to add to
     * @param key the field's name
     * @param value the number; written with a fraction only when it has one (or is 1e15 or more)
     */
    public static void putNumber(ObjectNode node, String key, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            node.put(key, (long) value);
        } else {
            node.put(key, value);
        }
    }

    /**
     * Writes {@code text} to a temporary sibling, then moves it over {@code target}.
     *
     * @param target the file to write; its parent folders are created
     * @param text the whole content, written as UTF-8
     * @throws FastVlmException when the file cannot be written; {@code target} is then left as it was
     */
    public static void writeAtomically(Path target, String text) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        try {
            Files.createDirectories(dir);
            // Not createTempFile: its owner-only mode would carry over; this file gets the umask's.
            Path temp = dir.resolve("." + absolute.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
            try {
                Files.write(temp, text.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                try {
                    Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new FastVlmException("cannot write " + target + ": " + e, e);
        }
    }

    /**
     * A whole file's text, strictly UTF-8 as {@code Files.readString} reads it (which Android lacks):
     * malformed bytes are an error, not replacement characters.
     *
     * @param file the file to read
     * @return its text
     * @throws IOException when the file cannot be read or is not valid UTF-8
     *     ({@link java.nio.charset.CharacterCodingException})
     */
    public static String readUtf8(Path file) throws IOException {
        return java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                .decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file))).toString();
    }
}

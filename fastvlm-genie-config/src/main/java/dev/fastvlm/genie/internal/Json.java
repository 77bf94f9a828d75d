package dev.fastvlm.genie.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
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

    public static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Parses {@code json}; on malformed text returns null after describing the error to {@code error}. */
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

    /** Pretty-printed JSON with two-space indentation, "key": value spacing and a final newline. */
    public static String pretty(JsonNode node) {
        try {
            return PRETTY.writeValueAsString(node) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree could not be written", e);
        }
    }

    /** Adds a number, written as an integer when it has no fraction (so 1000000 stays 1000000). */
    public static void putNumber(ObjectNode node, String key, double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            node.put(key, (long) value);
        } else {
            node.put(key, value);
        }
    }

    /** Writes {@code text} to a temporary sibling, then moves it over {@code target}. */
    public static void writeAtomically(Path target, String text) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        try {
            Files.createDirectories(dir);
            // Not createTempFile: its owner-only mode would carry over; this file gets the umask's.
            Path temp = dir.resolve("." + absolute.getFileName() + "." + java.util.UUID.randomUUID() + ".tmp");
            try {
                Files.writeString(temp, text, java.nio.file.StandardOpenOption.CREATE_NEW,
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
}

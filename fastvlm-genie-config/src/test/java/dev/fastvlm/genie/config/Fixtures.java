package dev.fastvlm.genie.config;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test fixtures of this package, and JSON surgery on them. */
final class Fixtures {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Fixtures() {
    }

    static String text(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode tree(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture with the value at {@code pointer} replaced (or added) by {@code json}. */
    static String with(String fixture, String pointer, String json) {
        JsonNode root = tree(text(fixture));
        JsonPointer p = JsonPointer.compile(pointer);
        ((ObjectNode) root.at(p.head())).set(p.last().getMatchingProperty(), tree(json));
        return root.toString();
    }

    /** The fixture without the field at {@code pointer}. */
    static String without(String fixture, String pointer) {
        JsonNode root = tree(text(fixture));
        JsonPointer p = JsonPointer.compile(pointer);
        ((ObjectNode) root.at(p.head())).remove(p.last().getMatchingProperty());
        return root.toString();
    }
}

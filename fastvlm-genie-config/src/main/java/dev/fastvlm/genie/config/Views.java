package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/**
 * Lenient reads of a config tree that {@link GenieRules} has already accepted: a value of the
 * wrong JSON type reads as absent, a fractional number as its integer part (as Genie's
 * {@code get<int>()} does).
 */
final class Views {
    private Views() {
    }

    static Integer int32(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? Integer.valueOf(v.asInt()) : null;
    }

    static Long int64(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? Long.valueOf(v.asLong()) : null;
    }

    static Double number(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isNumber() ? Double.valueOf(v.asDouble()) : null;
    }

    static Boolean bool(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isBoolean() ? Boolean.valueOf(v.asBoolean()) : null;
    }

    static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** The string elements of an array, or null when the key is absent or not an array. */
    static List<String> texts(JsonNode n, String key) {
        JsonNode v = n.get(key);
        if (v == null || !v.isArray()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        v.forEach(e -> out.add(e.asText()));
        return out;
    }

    /** The object at {@code key}, or null. */
    static ObjectNode object(JsonNode n, String key) {
        JsonNode v = n == null ? null : n.get(key);
        return v != null && v.isObject() ? (ObjectNode) v : null;
    }
}

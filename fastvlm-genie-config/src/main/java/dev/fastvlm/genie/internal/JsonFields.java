package dev.fastvlm.genie.internal;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads the fields of one JSON object while recording every problem with its JSON path, so that a
 * reader can report all of a file's mistakes at once instead of stopping at the first.
 * Not part of the API: shared by the readers of this module.
 */
public final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final List<Violation> problems;
    private final Set<String> consumed = new HashSet<>();

    private JsonFields(JsonNode node, String path, List<Violation> problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
    }

    /**
     * The fields of {@code node}, or null (with a recorded problem) when it is not an object.
     *
     * @param node the JSON value that should be an object
     * @param path its JSON path, empty for the document itself
     * @param problems where this reader and its children record problems
     * @return the reader, or null when {@code node} is not an object
     */
    public static JsonFields of(JsonNode node, String path, List<Violation> problems) {
        if (node == null || !node.isObject()) {
            problems.add(new Violation(path.isEmpty() ? "<document>" : path, "must be an object, was "
                    + describe(node)));
            return null;
        }
        return new JsonFields(node, path, problems);
    }

    /**
     * The path of a child field, e.g. {@code dialog.context} + {@code size}.
     *
     * @param key the child's field name
     * @return the child's dotted path
     */
    public String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** {@return this object's dotted JSON path, empty for the document} */
    public String path() {
        return path;
    }

    /** {@return the list every problem is recorded in, shared with the parent and child readers} */
    public List<Violation> problems() {
        return problems;
    }

    /**
     * Whether the object has a field, without marking it read.
     *
     * @param key the field's name
     * @return {@code true} when the field is present (even when it is null)
     */
    public boolean has(String key) {
        return node.has(key);
    }

    /**
     * The raw value of {@code key} (marking it read), or null.
     *
     * @param key the field's name
     * @return the field's JSON value, or null when absent
     */
    public JsonNode raw(String key) {
        consumed.add(key);
        return node.get(key);
    }

    /**
     * Records a problem at {@code key}.
     *
     * @param key the field the problem is about
     * @param problem what is wrong, with the offending value
     */
    public void problem(String key, String problem) {
        problems.add(new Violation(pathOf(key), problem));
    }

    /** Requires {@code version} to be present and equal to 1, as Genie does for every block. */
    public void version() {
        Long version = integer("version", true);
        if (version != null && version != 1) {
            problem("version", "must be 1, was " + version);
        }
    }

    /**
     * An integer field (any {@code long}); a problem is recorded when it is absent but required, or not an integer.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return the value, or null when absent or wrong
     */
    public Long integer(String key, boolean required) {
        return value(key, required, "an integer", n -> n.canConvertToExactIntegral() && n.canConvertToLong()
                ? n.asLong() : null);
    }

    /**
     * An integer within the range of {@code int}.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return the value, or null (after recording a problem) when absent or out of range
     */
    public Integer int32(String key, boolean required) {
        return value(key, required, "a 32-bit integer", n -> n.canConvertToExactIntegral() && n.canConvertToInt()
                ? n.asInt() : null);
    }

    /**
     * A number field; a problem is recorded when it is absent but required, or not a number.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return the value, or null when absent or wrong
     */
    public Double number(String key, boolean required) {
        return value(key, required, "a number", n -> n.isNumber() ? n.asDouble() : null);
    }

    /**
     * A boolean field; a problem is recorded when it is absent but required, or not {@code true}/{@code false}.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return the value, or null when absent or wrong
     */
    public Boolean bool(String key, boolean required) {
        return value(key, required, "true or false", n -> n.isBoolean() ? n.asBoolean() : null);
    }

    /**
     * A string field; a problem is recorded when it is absent but required, or not a string.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return the value, or null when absent or wrong
     */
    public String string(String key, boolean required) {
        return value(key, required, "a string", n -> n.isTextual() ? n.asText() : null);
    }

    /**
     * An array of strings, or null.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return the strings, or null when absent or when an element is not a string
     */
    public List<String> strings(String key, boolean required) {
        return array(key, required, (element, elementPath) -> {
            if (!element.isTextual()) {
                problems.add(new Violation(elementPath, "must be a string, was " + describe(element)));
                return null;
            }
            return element.asText();
        });
    }

    /**
     * An array whose elements {@code reader} converts (returning null after recording a problem), or null.
     *
     * @param <T> the elements' type
     * @param key the field's name
     * @param required whether absence is a problem
     * @param reader converts each element; gets the element and its JSON path
     * @return the converted elements, or null when absent, not an array, or when an element failed
     */
    public <T> List<T> array(String key, boolean required, ElementReader<T> reader) {
        JsonNode value = raw(key);
        if (absent(key, value, required)) {
            return null;
        }
        if (!value.isArray()) {
            problem(key, "must be an array, was " + describe(value));
            return null;
        }
        List<T> result = new ArrayList<>();
        boolean complete = true;
        for (int i = 0; i < value.size(); i++) {
            T element = reader.read(value.get(i), pathOf(key) + "[" + i + "]");
            if (element == null) {
                complete = false;
            } else {
                result.add(element);
            }
        }
        return complete ? result : null;
    }

    /**
     * The fields of the object at {@code key}, or null.
     *
     * @param key the field's name
     * @param required whether absence is a problem
     * @return a reader of the child object, or null when absent or not an object
     */
    public JsonFields object(String key, boolean required) {
        JsonNode value = raw(key);
        if (absent(key, value, required)) {
            return null;
        }
        return of(value, pathOf(key), problems);
    }

    /** Records every key that no reader asked for; Genie rejects unknown keys. */
    public void rejectUnknownKeys() {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!consumed.contains(name)) {
                problem(name, "unknown key");
            }
        }
    }

    private <T> T value(String key, boolean required, String expected, Function<JsonNode, T> convert) {
        JsonNode value = raw(key);
        if (absent(key, value, required)) {
            return null;
        }
        T converted = convert.apply(value);
        if (converted == null) {
            problem(key, "must be " + expected + ", was " + describe(value));
        }
        return converted;
    }

    private boolean absent(String key, JsonNode value, boolean required) {
        if (value == null || value.isMissingNode()) {
            if (required) {
                problem(key, "is required");
            }
            return true;
        }
        return false;
    }

    /**
     * A short rendering of a JSON value for error messages.
     *
     * @param node a JSON value, or null
     * @return {@code missing}, {@code an object}, {@code an array}, or the value's text cut to 40 characters
     */
    public static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        String text = node.toString();
        return text.length() > 40 ? text.substring(0, 37) + "..." : text;
    }

    /** Reads one array element at its path; returns null after recording a problem. */
    @FunctionalInterface
    public interface ElementReader<T> {
        /**
         * Converts one element.
         *
         * @param element the element's JSON value
         * @param path the element's JSON path, for problems
         * @return the converted element, or null after recording a problem
         */
        T read(JsonNode element, String path);
    }
}

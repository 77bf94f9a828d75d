package dev.fastvlm.genie.profile;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The JSON that {@code genie-t2t-run --profile FILE} (or {@code GenieProfile_getJsonData}) writes:
 * components, each with timed events. {@link #dialogCreate()} and {@link #queries()} give the
 * dialog's init time, time to first token, prompt and generation rates and token counts; events and
 * metrics this project does not know are kept in {@link #components()} and otherwise ignored.
 *
 * <p>Instances come from {@link #parse} and {@link #read}; they are immutable.
 */
public final class GenieProfile {
    static final String DIALOG_CREATE = "GenieDialog_create";
    static final String DIALOG_QUERY = "GenieDialog_query";
    private static final String ARTIFACT_TYPE = "GENIE_PROFILE";

    private final List<ProfileComponent> components;
    private final List<DialogQuery> queries;
    private final List<DialogCreate> creates;

    private GenieProfile(List<ProfileComponent> components, List<DialogQuery> queries, List<DialogCreate> creates) {
        this.components = List.copyOf(components);
        this.queries = List.copyOf(queries);
        this.creates = List.copyOf(creates);
    }

    /** {@return the profiled components, in file order, with all their events (known or not)} */
    public List<ProfileComponent> components() {
        return components;
    }

    /** {@return every {@code GenieDialog_query} event, in order} */
    public List<DialogQuery> queries() {
        return queries;
    }

    /** {@return the first {@code GenieDialog_create} event, if the profile has one} */
    public Optional<DialogCreate> dialogCreate() {
        return creates.stream().findFirst();
    }

    /** {@return the last {@code GenieDialog_query} event (the one-query run of {@code genie-t2t-run}), if any} */
    public Optional<DialogQuery> lastQuery() {
        return queries.isEmpty() ? Optional.empty() : Optional.of(queries.get(queries.size() - 1));
    }

    /**
     * Parses a profile; every problem is reported at once, each with its JSON path.
     *
     * @param json the profile's text
     * @return the profile
     * @throws GenieProfileException when the text is not JSON or a known event lacks its metrics (every problem
     *     listed with its JSON path)
     */
    public static GenieProfile parse(String json) {
        return parse(json, "Genie profile");
    }

    /**
     * Reads a profile file; errors name the file.
     *
     * @param file a profile written by {@code genie-t2t-run --profile}
     * @return the profile
     * @throws GenieProfileException when the file cannot be read or is malformed, the message naming the file
     */
    public static GenieProfile read(Path file) {
        try {
            return parse(Json.readUtf8(file), file.toString());
        } catch (IOException e) {
            throw new GenieProfileException(file + ": cannot be read: " + e);
        }
    }

    /**
     * Parses a profile; errors name {@code source} (the file it came from).
     *
     * @param json the profile's text
     * @param source where the text came from, named in error messages
     * @return the profile
     * @throws GenieProfileException when the text is not JSON or a known event lacks its metrics (every problem
     *     listed with its JSON path)
     */
    public static GenieProfile parse(String json, String source) {
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(json, error);
        if (root == null) {
            throw new GenieProfileException(source + ": " + error);
        }
        List<Violation> problems = new ArrayList<>();
        JsonFields top = JsonFields.of(root, "", problems);
        List<ProfileComponent> components = null;
        if (top != null) {
            JsonFields header = top.object("header", false);
            String artifact = header == null ? null : header.string("artifact_type", false);
            if (artifact != null && !artifact.equals(ARTIFACT_TYPE)) {
                header.problem("artifact_type", "must be " + ARTIFACT_TYPE + ", was \"" + artifact + "\"");
            }
            components = top.array("components", true, (node, path) -> readComponent(node, path, problems));
        }
        List<DialogQuery> queries = new ArrayList<>();
        List<DialogCreate> creates = new ArrayList<>();
        if (components != null) {
            for (int c = 0; c < components.size(); c++) {
                List<ProfileEvent> events = components.get(c).events();
                for (int e = 0; e < events.size(); e++) {
                    String path = "components[" + c + "].events[" + e + "]";
                    ProfileEvent event = events.get(e);
                    if (event.type().equals(DIALOG_CREATE)) {
                        Long init = micros(event, "init-time", path, problems);
                        if (init != null) {
                            creates.add(new DialogCreate(init));
                        }
                    } else if (event.type().equals(DIALOG_QUERY)) {
                        DialogQuery query = query(event, path, problems);
                        if (query != null) {
                            queries.add(query);
                        }
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new GenieProfileException(source + ": " + problems.stream().map(Violation::toString)
                    .collect(Collectors.joining("; ")));
        }
        return new GenieProfile(components, queries, creates);
    }

    private static ProfileComponent readComponent(JsonNode node, String path, List<Violation> problems) {
        JsonFields f = JsonFields.of(node, path, problems);
        if (f == null) {
            return null;
        }
        String name = f.string("name", false);
        String type = f.string("type", false);
        List<ProfileEvent> events = f.array("events", true, (e, p) -> readEvent(e, p, problems));
        return events == null ? null : new ProfileComponent(name == null ? "" : name, type == null ? "" : type,
                events);
    }

    private static ProfileEvent readEvent(JsonNode node, String path, List<Violation> problems) {
        JsonFields f = JsonFields.of(node, path, problems);
        if (f == null) {
            return null;
        }
        int before = problems.size();
        String type = f.string("type", true);
        Long duration = micros(f.number("duration", false));
        Long start = micros(f.number("start", false));
        Long stop = micros(f.number("stop", false));
        Map<String, ProfileMetric> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            JsonNode value = field.getValue();
            if (value.isObject() && value.has("value")) {
                if (!value.get("value").isNumber()) {
                    problems.add(new Violation(f.pathOf(field.getKey()) + ".value", "must be a number, was "
                            + JsonFields.describe(value.get("value"))));
                } else {
                    metrics.put(field.getKey(), new ProfileMetric(value.get("value").asDouble(),
                            value.path("unit").asText("")));
                }
            }
        }
        return problems.size() > before ? null : new ProfileEvent(type, duration, start, stop, metrics);
    }

    private static Long micros(Double value) {
        return value == null ? null : Math.round(value);
    }

    private static DialogQuery query(ProfileEvent event, String path, List<Violation> problems) {
        int before = problems.size();
        Double promptTokens = count(event, "num-prompt-tokens", path, problems);
        Double promptRate = rate(event, "prompt-processing-rate", path, problems);
        Long ttft = micros(event, "time-to-first-token", path, problems);
        Double generated = count(event, "num-generated-tokens", path, problems);
        Double generationRate = rate(event, "token-generation-rate", path, problems);
        Long generationTime = micros(event, "token-generation-time", path, problems);
        if (problems.size() > before) {
            return null;
        }
        return new DialogQuery(promptTokens.longValue(), promptRate, ttft, generated.longValue(), generationRate,
                generationTime);
    }

    private static ProfileMetric required(ProfileEvent event, String name, String path, List<Violation> problems) {
        ProfileMetric metric = event.metrics().get(name);
        if (metric == null) {
            problems.add(new Violation(path + "." + name, "is required in a " + event.type() + " event"));
        }
        return metric;
    }

    private static Double count(ProfileEvent event, String name, String path, List<Violation> problems) {
        ProfileMetric metric = required(event, name, path, problems);
        if (metric == null) {
            return null;
        }
        if (metric.value() < 0 || metric.value() != Math.rint(metric.value())) {
            problems.add(new Violation(path + "." + name, "must be a whole number >= 0, was " + metric.value()));
            return null;
        }
        return metric.value();
    }

    private static Double rate(ProfileEvent event, String name, String path, List<Violation> problems) {
        ProfileMetric metric = required(event, name, path, problems);
        if (metric == null) {
            return null;
        }
        if (metric.value() < 0) {
            problems.add(new Violation(path + "." + name, "must be >= 0, was " + metric.value()));
            return null;
        }
        return metric.value();
    }

    /** A time metric in microseconds; Genie writes {@code us}, other time units are converted. */
    private static Long micros(ProfileEvent event, String name, String path, List<Violation> problems) {
        ProfileMetric metric = required(event, name, path, problems);
        if (metric == null) {
            return null;
        }
        double factor = switch (metric.unit()) {
            case "us", "" -> 1;
            case "ms" -> 1e3;
            case "s" -> 1e6;
            case "ns" -> 1e-3;
            default -> Double.NaN;
        };
        if (Double.isNaN(factor)) {
            problems.add(new Violation(path + "." + name + ".unit", "must be a time unit (us, ms, s, ns), was \""
                    + metric.unit() + "\""));
            return null;
        }
        if (metric.value() < 0) {
            problems.add(new Violation(path + "." + name, "must be >= 0, was " + metric.value()));
            return null;
        }
        return Math.round(metric.value() * factor);
    }
}

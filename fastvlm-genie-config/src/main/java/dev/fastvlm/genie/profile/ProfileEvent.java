package dev.fastvlm.genie.profile;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One event of a profiled component, whatever its type: times in microseconds and its metrics by
 * name, including those this project does not interpret.
 *
 * @param type     e.g. {@code GenieDialog_query}
 * @param duration duration in microseconds, or null when absent
 * @param start    start time in microseconds, or null when absent
 * @param stop     stop time in microseconds, or null when absent
 * @param metrics  every {@code {value, unit}} field of the event, in file order
 */
public record ProfileEvent(String type, Long duration, Long start, Long stop, Map<String, ProfileMetric> metrics) {

    /** The event types Genie's profiler writes ({@code getEventTypeString} in Genie's Profile.cpp). */
    public static final List<String> GENIE_TYPES = List.of("GenieDialog_create", "GenieDialog_query",
            "GenieDialog_free", "GenieDialog_applyLora", "GenieDialog_bindEngine", "GenieDialog_getEngine",
            "GenieEmbedding_create", "GenieEmbedding_generate", "GenieEmbedding_free", "GenieEngine_create",
            "GenieEngine_free", "GeniePipeline_create", "GeniePipeline_free", "GeniePipeline_execute",
            "GenieNode_create", "GenieNode_free", "GenieNode_setData");

    /**
     * Copies the metrics, keeping their order.
     *
     * @param type e.g. {@code GenieDialog_query}
     * @param duration duration in microseconds, or null when absent
     * @param start start time in microseconds, or null when absent
     * @param stop stop time in microseconds, or null when absent
     * @param metrics every {@code {value, unit}} field of the event, in file order
     * @throws NullPointerException when {@code metrics} is null
     */
    public ProfileEvent {
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    }

    /**
     * One metric of the event.
     *
     * @param name the metric's key in the event's JSON, for example {@code num-prompt-tokens}
     * @return the metric, or empty when the event has none of that name
     */
    public Optional<ProfileMetric> metric(String name) {
        return Optional.ofNullable(metrics.get(name));
    }
}

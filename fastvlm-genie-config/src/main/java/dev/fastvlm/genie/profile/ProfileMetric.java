package dev.fastvlm.genie.profile;

import java.util.List;

/**
 * One measured value of a profile event, e.g. {@code "init-time": {"value": 1843210, "unit": "us"}}.
 * Any unit is read; {@link #UNITS} are those Genie writes.
 *
 * @param value the number
 * @param unit  its unit as Genie writes it ({@code us}, {@code toks/sec}, ...), or empty
 */
public record ProfileMetric(double value, String unit) {
    /**
     * The units Genie's profiler writes ({@code getEventUnitString} in Genie's Profile.cpp): none,
     * microseconds, bytes, cycles, tokens per second, tokens per iteration.
     */
    public static final List<String> UNITS = List.of("", "us", "bytes", "cycles", "toks/sec", "toks/iteration");

    /**
     * Whether Genie's profiler writes this metric's unit.
     *
     * @return true for one of {@link #UNITS}
     */
    public boolean genieUnit() {
        return UNITS.contains(unit);
    }
}

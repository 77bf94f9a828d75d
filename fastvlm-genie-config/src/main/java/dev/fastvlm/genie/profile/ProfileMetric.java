package dev.fastvlm.genie.profile;

/**
 * One measured value of a profile event, e.g. {@code "init-time": {"value": 1843210, "unit": "us"}}.
 *
 * @param value the number
 * @param unit  its unit as Genie writes it ({@code us}, {@code toks/sec}, ...), or empty
 */
public record ProfileMetric(double value, String unit) {
}

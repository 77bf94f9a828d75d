package dev.fastvlm;

import java.time.Duration;

/**
 * Wall time of one named stage of a request (for example {@code preprocess} or {@code vision-encoder}).
 *
 * @param stage   the stage's name
 * @param elapsed its wall time
 */
public record StageTiming(String stage, Duration elapsed) {
    /**
     * Checks the stage's name and time.
     *
     * @param stage the stage's name
     * @param elapsed its wall time
     * @throws InvalidConfigurationException when {@code stage} is blank or {@code elapsed} is null
     */
    public StageTiming {
        Checks.notBlank(stage, "stage");
        Checks.required(elapsed, "elapsed", "a duration");
    }
}

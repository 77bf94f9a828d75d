package dev.fastvlm;

import java.time.Duration;

/**
 * Wall time of one stage of a request (for example {@link Stage#PREPROCESS} or {@link Stage#VISION_ENCODER}).
 *
 * @param stage   the stage
 * @param elapsed its wall time
 */
public record StageTiming(Stage stage, Duration elapsed) {
    /**
     * Checks the stage's name and time.
     *
     * @param stage the stage
     * @param elapsed its wall time
     * @throws InvalidConfigurationException when {@code stage} or {@code elapsed} is null
     */
    public StageTiming {
        Checks.required(stage, "stage", "a Stage");
        Checks.required(elapsed, "elapsed", "a duration");
    }
}

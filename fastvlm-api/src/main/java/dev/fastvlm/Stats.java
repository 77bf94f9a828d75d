package dev.fastvlm;

import java.time.Duration;
import java.util.List;

/**
 * Figures of one request: what Genie's profile reports plus the host's own stage timings and the
 * bytes moved to and from the device.
 *
 * @param promptTokens       tokens (text and vision rows) the decoder processed before generating
 * @param generatedTokens    tokens generated
 * @param timeToFirstToken   time from query to first token (prompt processing)
 * @param tokensPerSecond    generation rate
 * @param initTime           decoder initialisation (model load) time
 * @param stages             host-measured wall time of each stage, in order
 * @param modelBytesPushed   model and SDK bytes pushed for this request (0 once synced)
 * @param requestBytesPushed bytes of this request's own inputs pushed
 * @param bytesPulled        bytes pulled back from the device
 */
public record Stats(int promptTokens, int generatedTokens, Duration timeToFirstToken, double tokensPerSecond,
                    Duration initTime, List<StageTiming> stages, long modelBytesPushed, long requestBytesPushed,
                    long bytesPulled) {
    /**
     * Checks the durations and copies {@code stages}.
     *
     * @param promptTokens tokens (text and vision rows) the decoder processed before generating
     * @param generatedTokens tokens generated
     * @param timeToFirstToken time from query to first token (prompt processing)
     * @param tokensPerSecond generation rate
     * @param initTime decoder initialisation (model load) time
     * @param stages host-measured wall time of each stage, in order
     * @param modelBytesPushed model and SDK bytes pushed for this request (0 once synced)
     * @param requestBytesPushed bytes of this request's own inputs pushed
     * @param bytesPulled bytes pulled back from the device
     * @throws InvalidConfigurationException when a duration or {@code stages} is null
     */
    public Stats {
        Checks.required(timeToFirstToken, "timeToFirstToken", "a duration");
        Checks.required(initTime, "initTime", "a duration");
        stages = List.copyOf(Checks.required(stages, "stages", "a list"));
    }

    /**
     * Sum of all stage timings.
     *
     * @return the host's wall time for the whole request, the sum of {@link #stages()}
     */
    public Duration total() {
        return stages.stream().map(StageTiming::elapsed).reduce(Duration.ZERO, Duration::plus);
    }
}

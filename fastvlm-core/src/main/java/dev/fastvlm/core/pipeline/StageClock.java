package dev.fastvlm.core.pipeline;

import dev.fastvlm.StageTiming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the wall time of each of a request's stages, in the order they end. A request's stages run
 * one after another on its own thread (the prompt is tokenized after the image is preprocessed,
 * see {@link DescribePipeline}); the list is guarded all the same, so that it may be read from
 * another thread.
 */
final class StageClock {

    private final List<StageTiming> timings = new ArrayList<>();

    <T> T time(String stage, Supplier<T> work) {
        long start = System.nanoTime();
        try {
            return work.get();
        } finally {
            StageTiming timing = new StageTiming(stage, Duration.ofNanos(System.nanoTime() - start));
            synchronized (timings) {
                timings.add(timing);
            }
        }
    }

    void time(String stage, Runnable work) {
        time(stage, () -> {
            work.run();
            return null;
        });
    }

    List<StageTiming> timings() {
        synchronized (timings) {
            return List.copyOf(timings);
        }
    }
}

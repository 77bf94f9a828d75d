package dev.fastvlm.core.pipeline;

import dev.fastvlm.Stage;
import dev.fastvlm.StageTiming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keeps the wall time of each of a request's stages, in the order they end. Thread-safe, so that
 * a stage may be timed from another thread than the request's.
 */
final class StageClock {

    private final List<StageTiming> timings = new ArrayList<>();

    <T> T time(Stage stage, Supplier<T> work) {
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

    void time(Stage stage, Runnable work) {
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

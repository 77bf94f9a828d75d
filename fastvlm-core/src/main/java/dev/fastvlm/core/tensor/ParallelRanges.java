package dev.fastvlm.core.tensor;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Splits a large element loop into a few contiguous parts, one per core, like PyTorch's
 * {@code parallel_for} with a grain size: the calling thread runs the first part, small daemon
 * threads the others, and the call returns when all are done. Below two grains of work the loop
 * runs on the calling thread alone, since handing a part over costs a thread wake-up.
 */
final class ParallelRanges {
    /** Parts for a loop large enough: the cores, at most four (more only adds hand-over cost). */
    private static final int MAX_PARTS = Math.min(4, Runtime.getRuntime().availableProcessors());
    /** Part boundaries fall on multiples of this many elements, so SIMD loops keep whole vectors. */
    private static final int ALIGN = 64;

    private ParallelRanges() {
    }

    /** The loop over elements {@code [from, to)}; parts never overlap. */
    @FunctionalInterface
    interface Range {
        void run(int from, int to);
    }

    /** Runs {@code range} over {@code [0, count)}, in parts of at least {@code grain} elements. */
    static void run(int count, int grain, Range range) {
        int parts = (int) Math.min(MAX_PARTS, count / Math.max(grain, ALIGN));
        if (parts < 2) {
            range.run(0, count);
            return;
        }
        int step = (count / parts + ALIGN - 1) / ALIGN * ALIGN;
        CompletableFuture<?>[] others = new CompletableFuture<?>[parts - 1];
        for (int p = 1; p < parts; p++) {
            int from = p * step;
            int to = p == parts - 1 ? count : from + step;
            others[p - 1] = CompletableFuture.runAsync(() -> range.run(from, to), Workers.POOL);
        }
        RuntimeException failure = null;
        try {
            range.run(0, step);
        } catch (RuntimeException e) {
            failure = e;
        }
        // Wait for every part, even after a failure: they write into the caller's destination.
        for (CompletableFuture<?> other : others) {
            try {
                other.join();
            } catch (CompletionException e) {
                if (failure == null) {
                    failure = e.getCause() instanceof RuntimeException r ? r : e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Created on first use, so a JVM that never dequantizes a large block starts no threads. */
    private static final class Workers {
        private static final AtomicInteger NUMBER = new AtomicInteger();
        static final ExecutorService POOL = Executors.newFixedThreadPool(MAX_PARTS - 1, task -> {
            Thread thread = new Thread(task, "fastvlm-dequantize-" + NUMBER.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }
}

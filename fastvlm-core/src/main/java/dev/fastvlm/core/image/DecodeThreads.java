package dev.fastvlm.core.image;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** Where decoders run while the calling thread resamples the rows they have finished. */
final class DecodeThreads {
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** Threads come and go with demand; daemon, so they never keep a JVM alive. */
    static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "fastvlm-image-decode-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    /** Below this many pixels a thread hand-off costs more than the overlap saves. */
    private static final long MIN_PIXELS = 512 * 512;

    private DecodeThreads() {
    }

    /** Whether decoding a {@code width x height} image on a pool thread pays, for a consumer that {@code reads} its rows. */
    static boolean worthIt(int width, int height, RowsNeeded reads) {
        return (long) width * height >= MIN_PIXELS && reads.test(width, height);
    }

    /** Whether a consumer reads the rows of a {@code width x height} image (rather than keeping them whole). */
    @FunctionalInterface
    interface RowsNeeded {
        boolean test(int width, int height);
    }
}

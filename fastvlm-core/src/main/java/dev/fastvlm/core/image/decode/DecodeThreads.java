package dev.fastvlm.core.image.decode;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Where decoders run while the calling thread resamples the rows they have finished. */
final class DecodeThreads {
    private static final AtomicInteger THREADS = new AtomicInteger();
    /**
     * A thread per large decode, started by the request that needs it and ended with that decode:
     * none waits idle, so none outlives the request it served (the request stops its decoder
     * between rows when it ends early), and a closed FastVlm leaves none behind. Daemon, so they
     * never keep a JVM alive; a new thread costs far less than the decode it serves (at least
     * {@link #MIN_PIXELS} pixels).
     */
    static final ExecutorService POOL = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 0, TimeUnit.MILLISECONDS,
            new SynchronousQueue<>(), task -> {
                Thread thread = new Thread(task, "fastvlm-image-decode-" + THREADS.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });

    /** Below this many pixels a thread hand-off costs more than the overlap saves. */
    private static final long MIN_PIXELS = 512 * 512;

    private DecodeThreads() {
    }

    /** Whether decoding a {@code width x height} image on a pool thread pays, for a consumer that {@code reads} its rows. */
    static boolean worthIt(int width, int height, StandardDecoder.RowsNeeded reads) {
        return (long) width * height >= MIN_PIXELS && reads.test(width, height);
    }
}

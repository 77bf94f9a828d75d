package dev.fastvlm.core.pipeline;

import dev.fastvlm.core.device.RequestDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Removes the device directories of requests that succeeded, off the callers' time and out of
 * the way of the next request's host work: a removal runs when the device starts its next
 * program (the host only waits then, so the {@code rm} shares the link and the device with
 * nothing of ours), or after {@code idleDelay} when no request comes. A directory is gone at the
 * latest when {@link #close()} returns.
 */
final class DeferredRemoval implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeferredRemoval.class);

    private final Queue<RequestDirectory> finished = new ConcurrentLinkedQueue<>();
    private final ScheduledThreadPoolExecutor remover;
    private final Duration idleDelay;
    private final Duration closeWait;

    DeferredRemoval(Duration idleDelay, Duration closeWait) {
        this.idleDelay = idleDelay;
        this.closeWait = closeWait;
        this.remover = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "fastvlm-cleanup");
            thread.setDaemon(true);
            return thread;
        });
        // close() removes what is left itself; a pending idle timer must not hold it up.
        remover.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        remover.setRemoveOnCancelPolicy(true);
    }

    /** Hands over a finished request's directory; it goes at the next {@link #deviceBusy()} or after the idle delay. */
    void release(RequestDirectory directory) {
        finished.add(directory);
        remover.schedule(this::removeFinished, idleDelay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The device is about to run a program: a good moment to remove finished directories. */
    void deviceBusy() {
        if (!finished.isEmpty()) {
            remover.execute(this::removeFinished);
        }
    }

    private void removeFinished() {
        RequestDirectory directory;
        while ((directory = finished.poll()) != null) {
            directory.close();
        }
    }

    /** Removes every directory still waiting, then stops. */
    @Override
    public void close() {
        if (remover.isShutdown()) {
            return;
        }
        remover.execute(this::removeFinished);
        remover.shutdown();
        try {
            if (!remover.awaitTermination(closeWait.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("request directories still being removed after {}", closeWait);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

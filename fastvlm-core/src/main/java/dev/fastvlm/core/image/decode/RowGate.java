package dev.fastvlm.core.image.decode;

import dev.fastvlm.CancelledException;
import dev.fastvlm.transport.Deadline;

import java.util.concurrent.TimeUnit;

/**
 * How far a decoder running on another thread has got: the consumer waits for the rows it needs,
 * and gets the decoder's exception instead if decoding fails.
 */
final class RowGate implements PngDecoder.RowProgress, ArrivingRows {
    private int ready;
    private Throwable failure;
    private boolean cancelled;

    @Override
    public synchronized boolean rowsDone(int rows) {
        ready = rows;
        notifyAll();
        return !cancelled;
    }

    synchronized void fail(Throwable t) {
        failure = t;
        notifyAll();
    }

    /** The consumer no longer needs rows: the decoder stops at its next report. */
    synchronized void cancel() {
        cancelled = true;
    }

    @Override
    public synchronized int available() {
        return ready;
    }

    /**
     * Waits for the first {@code rows} rows; the calling thread's interrupt and its request's
     * {@link Deadline} stop the wait, and the decoder with it.
     */
    @Override
    public synchronized void await(int rows) {
        try {
            StopCheck.checkCurrentRequest();
        } catch (RuntimeException e) {
            cancelled = true;
            throw e;
        }
        while (ready < rows && failure == null) {
            try {
                long left = Deadline.remainingNanos(Long.MAX_VALUE);
                if (left == 0) {
                    cancelled = true;
                    throw Deadline.timeout("waiting for the image to decode", java.time.Duration.ZERO);
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                cancelled = true;
                throw new CancelledException("interrupted while waiting for the image to decode", e);
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException("image decoding failed", failure);
        }
    }
}

package dev.fastvlm.core.image;

import dev.fastvlm.CancelledException;

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

    @Override
    public synchronized void await(int rows) {
        while (ready < rows && failure == null) {
            try {
                wait();
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

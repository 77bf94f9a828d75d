package dev.fastvlm.adb;

import dadb.AdbStream;
import dadb.Dadb;
import dev.fastvlm.transport.Deadline;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A device through the adb server, with dadb's server client, whose streams (one socket to the
 * server each) block without limit: this link bounds them by the caller's {@link Deadline} and
 * interrupt from outside. Opening a stream runs on a thread of its own while the caller waits as
 * long as its deadline allows; a transfer is {@linkplain #guard guarded} by a watchdog that closes
 * its stream's socket once the deadline passes or the caller is interrupted, which ends a read or
 * write under way with an exception that {@link Guard#translate} turns into the timeout or cancel
 * it stands for.
 */
final class ServerLink implements AdbLink {

    private static final long WATCH_MILLIS = 50;

    private final Dadb dadb;
    private final String serial;
    /** This link's watchdog thread, made at the first guarded transfer and ended by {@link #close()}. */
    private final ScheduledThreadPoolExecutor watchdog;

    ServerLink(Dadb dadb, String serial) {
        this.dadb = dadb;
        this.serial = serial;
        this.watchdog = new ScheduledThreadPoolExecutor(1,
                AdbTransport.daemon("fastvlm-adb-watchdog " + serial));
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /**
     * Opens {@code destination} within the caller's deadline: a server or device that does not
     * answer leaves the open running on its own thread (its stream is closed when it arrives)
     * while the caller gets a {@link SocketTimeoutException}, or an {@link InterruptedIOException}
     * when interrupted.
     */
    @Override
    public AdbStream open(String destination) throws IOException {
        if (Deadline.current().isEmpty()) {
            return dadb.open(destination);
        }
        CompletableFuture<AdbStream> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return dadb.open(destination);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, task -> AdbTransport.daemon("fastvlm-adb-open " + serial).newThread(task).start());
        try {
            return opening.get(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            opening.thenAccept(ServerLink::closeQuietly);
            throw new SocketTimeoutException("the adb server did not open " + destination + " on " + serial
                    + " within the deadline");
        } catch (InterruptedException e) {
            opening.thenAccept(ServerLink::closeQuietly);
            InterruptedIOException interrupted = new InterruptedIOException("opening " + destination + " on " + serial
                    + " was interrupted");
            interrupted.initCause(e);
            throw interrupted;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c ? c.getCause() : e.getCause();
            if (cause instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException(cause);
        }
    }

    @Override
    public Guard guard(AdbStream stream) {
        Deadline deadline = Deadline.current().orElse(null);
        Thread caller = Thread.currentThread();
        WatchedTransfer transfer = new WatchedTransfer(stream, caller, deadline);
        // The interrupt is polled; the deadline is met on the dot.
        transfer.interruptWatch = watchdog.scheduleWithFixedDelay(transfer::check, WATCH_MILLIS, WATCH_MILLIS,
                TimeUnit.MILLISECONDS);
        if (deadline != null) {
            transfer.deadlineWatch = watchdog.schedule(transfer::check, deadline.remaining().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        return transfer;
    }

    @Override
    public boolean supportsFeature(String feature) {
        return dadb.supportsFeature(feature);
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        try {
            dadb.close();
        } catch (Exception ignored) {
            // Each stream had its own socket; nothing else to release.
        }
    }

    private static void closeQuietly(AdbStream stream) {
        try {
            stream.close();
        } catch (Exception ignored) {
            // Nobody waits for this stream any more.
        }
    }

    /** One transfer's watch: closes its stream when the caller's deadline passes or the caller is interrupted. */
    private static final class WatchedTransfer implements Guard {
        private final AdbStream stream;
        private final Thread caller;
        private final Deadline deadline;
        private volatile ScheduledFuture<?> interruptWatch;
        private volatile ScheduledFuture<?> deadlineWatch;
        private volatile String fired;

        WatchedTransfer(AdbStream stream, Thread caller, Deadline deadline) {
            this.stream = stream;
            this.caller = caller;
            this.deadline = deadline;
        }

        void check() {
            if (fired != null) {
                return;
            }
            if (caller.isInterrupted()) {
                fired = "interrupted";
            } else if (deadline != null && deadline.remaining().isZero()) {
                fired = "deadline";
            } else {
                return;
            }
            closeQuietly(stream);
        }

        @Override
        public IOException translate(IOException e) {
            String why = fired;
            if (why == null) {
                return e;
            }
            IOException stopped = why.equals("deadline")
                    ? new SocketTimeoutException("the transfer's deadline passed; its stream was closed")
                    : new InterruptedIOException("the transfer was interrupted; its stream was closed");
            stopped.initCause(e);
            return stopped;
        }

        @Override
        public void close() {
            for (ScheduledFuture<?> watch : new ScheduledFuture<?>[] {interruptWatch, deadlineWatch}) {
                if (watch != null) {
                    watch.cancel(false);
                }
            }
        }
    }
}

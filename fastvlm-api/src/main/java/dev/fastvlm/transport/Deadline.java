package dev.fastvlm.transport;

import dev.fastvlm.FastVlmTimeoutException;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The time one request has left, obeyed by every wait made on its behalf: connecting, opening a
 * stream, each transfer read and write, each device program and each host tool. A request
 * installs its deadline on its thread with {@link #call}; transports and housekeeping read it with
 * {@link #current()}, so a deadline reaches every layer without each method taking one.
 *
 * <p>A request ends within its limit plus {@link #MARGIN} of it: when the limit passes, the
 * request gets that margin to stop its device program and remove its files ({@link #cleanUp});
 * what does not fit is left for the next request to sweep. A cancelled request ends within a
 * second.
 *
 * <pre>{@code
 * Deadline.after(Duration.ofSeconds(10), "describe").call(() -> transport.run(command, listener));
 * }</pre>
 */
public final class Deadline {

    /** The share of a request's limit it may take beyond the limit to clean up after itself: 10%. */
    public static final double MARGIN = 0.10;

    /** The most one clean-up step may take after a cancel, so that a cancelled request ends within a second. */
    public static final Duration CANCEL_CLEANUP = Duration.ofMillis(250);

    private static final ThreadLocal<Deadline> CURRENT = new ThreadLocal<>();

    private final long atNanos;
    private final Duration limit;
    private final String operation;

    private Deadline(long atNanos, Duration limit, String operation) {
        this.atNanos = atNanos;
        this.limit = limit;
        this.operation = operation;
    }

    /**
     * A deadline {@code limit} from now for {@code operation} (named in the timeout's message).
     *
     * @param limit the time the operation may take from now
     * @param operation what is being done, for the timeout's message
     * @return a deadline, not yet installed on any thread (see {@link #call})
     */
    public static Deadline after(Duration limit, String operation) {
        return new Deadline(System.nanoTime() + limit.toNanos(), limit, operation);
    }

    /**
     * The deadline of the work this thread is doing, if it has one.
     *
     * @return the deadline installed by the innermost {@link #call} on this thread, or empty
     */
    public static Optional<Deadline> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * {@code timeout}, shortened to what the current deadline leaves.
     *
     * @param timeout the time a wait would take without a deadline
     * @return {@code timeout}, or what the current deadline leaves when that is less
     * @throws FastVlmTimeoutException when the current deadline has passed
     */
    public static Duration cap(Duration timeout) {
        Deadline deadline = CURRENT.get();
        if (deadline == null) {
            return timeout;
        }
        Duration left = deadline.remaining();
        if (left.isZero()) {
            throw deadline.expired();
        }
        return left.compareTo(timeout) < 0 ? left : timeout;
    }

    /**
     * Nanoseconds the current deadline leaves (at most {@code max}, and {@code max} without one).
     *
     * @param max the nanoseconds a wait would take without a deadline
     * @return between 0 and {@code max}
     */
    public static long remainingNanos(long max) {
        Deadline deadline = CURRENT.get();
        return deadline == null ? max : Math.min(max, Math.max(0, deadline.atNanos - System.nanoTime()));
    }

    /**
     * The timeout of the current deadline, or of {@code what} when the thread has none.
     *
     * @param what the operation named in the message when the thread has no deadline
     * @param fallbackLimit the limit named in the message when the thread has no deadline
     * @return the exception to throw; not thrown here
     */
    public static FastVlmTimeoutException timeout(String what, Duration fallbackLimit) {
        Deadline deadline = CURRENT.get();
        return deadline != null ? deadline.expired() : new FastVlmTimeoutException(what, fallbackLimit);
    }

    /**
     * Runs {@code work} on this thread under this deadline, or under the one already current if
     * that is sooner (a nested step never gets more time than its request).
     *
     * @param <T> the work's result type
     * @param work what to run; it reads the deadline with {@link #current()}
     * @return what {@code work} returns
     */
    public <T> T call(Supplier<T> work) {
        Deadline outer = CURRENT.get();
        CURRENT.set(outer != null && outer.atNanos - atNanos < 0 ? outer : this);
        try {
            return work.get();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
        }
    }

    /**
     * {@link #call} for work without a result.
     *
     * @param work what to run; it reads the deadline with {@link #current()}
     */
    public void run(Runnable work) {
        call(() -> {
            work.run();
            return null;
        });
    }

    /**
     * Runs a clean-up step (stopping a device program, removing a request's files, releasing a
     * lock) for the work this thread is doing, which has failed or is failing: the thread's
     * interrupt is set aside during the step and restored after it, and the step gets at most
     * {@code usual}, but under a deadline it gets only what is left of the deadline plus its
     * {@link #MARGIN}, shared by every clean-up step of the request, and after an interrupt (a
     * cancel) at most {@link #CANCEL_CLEANUP} per step. Past that the step ends with a
     * {@link FastVlmTimeoutException}, and what it did not remove is swept by a later request.
     *
     * @param what the step's name, for the timeout's message
     * @param usual the longest the step may take without a deadline or a cancel
     * @param step the clean-up to run
     * @throws FastVlmTimeoutException when the step outlives its time
     */
    public static void cleanUp(String what, Duration usual, Runnable step) {
        boolean interrupted = Thread.interrupted();
        Deadline outer = CURRENT.get();
        long now = System.nanoTime();
        long until = now + usual.toNanos();
        if (outer != null) {
            // Four fifths of the margin: the rest is for unwinding after the last step.
            until = earlier(until, outer.atNanos + (long) (outer.limit.toNanos() * MARGIN * 0.8));
        }
        if (interrupted) {
            until = earlier(until, now + CANCEL_CLEANUP.toNanos());
        }
        CURRENT.set(new Deadline(until, Duration.ofNanos(Math.max(0, until - now)), what));
        try {
            step.run();
        } finally {
            if (outer == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(outer);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long earlier(long a, long b) {
        return a - b < 0 ? a : b;
    }

    /**
     * Time left, zero once passed.
     *
     * @return the time left before the deadline, {@link Duration#ZERO} once it has passed
     */
    public Duration remaining() {
        return Duration.ofNanos(Math.max(0, atNanos - System.nanoTime()));
    }

    /**
     * The limit it was made with.
     *
     * @return the limit given to {@link #after}
     */
    public Duration limit() {
        return limit;
    }

    /**
     * The exception that says this deadline passed.
     *
     * @return a timeout exception naming the operation and its limit; not thrown here
     */
    public FastVlmTimeoutException expired() {
        return new FastVlmTimeoutException(operation, limit);
    }
}

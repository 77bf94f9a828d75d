package dev.fastvlm.core.image.decode;

import dev.fastvlm.CancelledException;
import dev.fastvlm.transport.Deadline;

/**
 * Lets long image work (decoding, resampling) stop between rows when the request it serves is
 * cancelled (its thread interrupted) or past its {@link Deadline}. Taken on the request's thread,
 * it also works on the pool threads that share the work, which see neither its interrupt nor its
 * deadline themselves.
 */
public final class StopCheck {
    private final Thread requester;
    private final Deadline deadline;

    private StopCheck(Thread requester, Deadline deadline) {
        this.requester = requester;
        this.deadline = deadline;
    }

    /**
     * A check for the request of the calling thread: its interrupt and its deadline, if it has one.
     *
     * @return the check, usable from any thread
     */
    public static StopCheck ofCurrentRequest() {
        return new StopCheck(Thread.currentThread(), Deadline.current().orElse(null));
    }

    /**
     * Throws when the calling thread's request is to stop: {@code ofCurrentRequest().check()}.
     *
     * @throws CancelledException when the calling thread was interrupted (the interrupt stays set)
     * @throws dev.fastvlm.FastVlmTimeoutException when its deadline has passed
     */
    static void checkCurrentRequest() {
        ofCurrentRequest().check();
    }

    /**
     * Throws when the request is to stop.
     *
     * @throws CancelledException when the request's thread was interrupted (the interrupt stays set)
     * @throws dev.fastvlm.FastVlmTimeoutException when the request's deadline has passed
     */
    public void check() {
        if (requester.isInterrupted()) {
            throw new CancelledException("image preprocessing was cancelled");
        }
        if (deadline != null && deadline.remaining().isZero()) {
            throw deadline.expired();
        }
    }
}

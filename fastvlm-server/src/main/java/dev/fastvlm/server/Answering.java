package dev.fastvlm.server;

import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.Description;
import dev.fastvlm.TokenListener;

import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One request's run on the pool: it waits for a device, asks the question there, and hands out what
 * the device produces as events (answer pieces, then the answer or the failure), all within the
 * request's one deadline. A device failure before anything reached the client sends the request
 * to another device; {@link #cancel()} (the client went away) stops the device's program.
 */
final class Answering implements AutoCloseable {

    /** What the device produced next. */
    sealed interface Event {
    }

    /** @param text the next piece of the answer */
    record Piece(String text) implements Event {
    }

    /** @param answer the whole answer with its figures */
    record Done(Description answer) implements Event {
    }

    /** @param failure why the device's work ended without an answer */
    record Failed(RuntimeException failure) implements Event {
    }

    /** The client went away: nothing more is written for this request. */
    static final class ClientGone extends RuntimeException {
        ClientGone() {
            super("the client disconnected", null, false, false);
        }
    }

    private final ChatRequest request;
    private final DevicePool pool;
    private final int attempts;
    private final long started;
    private final long deadline;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile boolean cancelled;
    private volatile Run run;

    /**
     * The request on one device: its lease, its conversation there and the running answer. The
     * device goes back to the pool the moment its work ends (answer, failure or cancel), whether or
     * not anyone still reads the events: a client that vanished holds no device.
     */
    private final class Run {
        private final DevicePool.Lease lease;
        private final Conversation conversation;
        private final CompletableFuture<Description> answer;
        private final long leased = System.nanoTime();
        private volatile long answered;

        Run(DevicePool.Lease lease) {
            this.lease = lease;
            Conversation opened = null;
            try {
                opened = lease.instance().conversation(ConversationOptions.builder().image(request.image())
                        .systemPrompt(request.system().orElse(null)).history(request.history()).build());
                // A plain answer needs no pieces: none wake the request's thread while the device works.
                this.answer = opened.askAsync(request.question(), request.generation(), request.stream()
                        ? piece -> events.add(new Piece(piece)) : TokenListener.NONE);
            } catch (RuntimeException e) {
                if (opened != null) {
                    opened.close();
                }
                pool.release(lease, e);
                throw e;
            }
            this.conversation = opened;
            // The answer goes to the request's thread at once; the device goes back from the pool's
            // returns thread (closing a conversation from its own answering thread would interrupt it).
            answer.whenComplete((done, thrown) -> {
                answered = System.nanoTime();
                events.add(done != null ? new Done(done) : new Failed(unwrap(thrown)));
            });
            answer.whenCompleteAsync((done, thrown) -> {
                try {
                    conversation.close();
                } finally {
                    pool.release(lease, done != null ? null : unwrap(thrown));
                }
            }, pool.returns());
        }
    }

    /**
     * @param request  the checked request
     * @param pool     the devices
     * @param attempts how many devices a request may try when they fail before its first piece
     * @param started  the request's arrival ({@link System#nanoTime()})
     * @param timeout  how long the whole request may take
     */
    Answering(ChatRequest request, DevicePool pool, int attempts, long started, Duration timeout) {
        this.request = request;
        this.pool = pool;
        this.attempts = attempts;
        this.started = started;
        this.deadline = started + timeout.toNanos();
    }

    /**
     * Starts the request on a free device and waits for the first piece of its answer (or the
     * whole answer). A device that fails before that is given back (and taken out) and the next
     * free one tried: nothing has reached the client yet.
     *
     * @return the first non-empty piece, or the whole answer
     * @throws ApiException the request's failure as an HTTP answer
     * @throws ClientGone   when {@link #cancel()} was called
     */
    Event start() throws InterruptedException {
        return onSomeDevice(() -> {
            Event event;
            do {
                event = next();
            } while (event instanceof Piece piece && piece.text().isEmpty());
            return event;
        });
    }

    /**
     * Runs the request to its whole answer, moving it to another device whenever its device fails
     * (the client sees only the answer, so it may start over anywhere).
     *
     * @return the answer
     * @throws ApiException the request's failure as an HTTP answer
     * @throws ClientGone   when {@link #cancel()} was called
     */
    Description complete() throws InterruptedException {
        return ((Done) onSomeDevice(() -> {
            Event event;
            do {
                event = next();
            } while (!(event instanceof Done));
            return event;
        })).answer();
    }

    /** Reads a run's events up to the one wanted. */
    @FunctionalInterface
    private interface Reader {
        Event read() throws InterruptedException;
    }

    /** Runs the request on a free device until {@code reader} is satisfied, on the next device while devices fail. */
    private Event onSomeDevice(Reader reader) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            begin();
            try {
                return reader.read();
            } catch (ApiException e) {
                if (e.status() != 502 || attempt >= attempts) {
                    throw e;
                }
            }
        }
    }

    /** Waits for a device and starts the question there. */
    private void begin() throws InterruptedException {
        checkCancelled();
        events.clear();
        DevicePool.Lease lease = pool.acquire(deadline);
        try {
            run = new Run(lease);
        } catch (RuntimeException e) {
            throw ApiException.from(e);
        }
        if (cancelled) {
            run.answer.cancel(true);
        }
    }

    /**
     * The next event, waited for until the request's deadline.
     *
     * @throws ApiException 504 at the deadline, or the failure the device reported
     * @throws ClientGone   after {@link #cancel()}
     */
    Event next() throws InterruptedException {
        Run current = run;
        long left = deadline - System.nanoTime();
        Event event = left > 0 ? events.poll(left, TimeUnit.NANOSECONDS) : events.poll();
        if (event == null) {
            current.answer.cancel(true);
            throw new ApiException(504, "timeout_error", null, "request_timeout", "no answer within the request's"
                    + " timeout of " + Duration.ofNanos(deadline - started).toMillis() + " ms");
        }
        if (event instanceof Failed failed) {
            checkCancelled();
            if (failed.failure() instanceof ClientGone gone) {
                throw gone;
            }
            throw ApiException.from(failed.failure());
        }
        return event;
    }

    /** The client went away: stops the device's work; the request's thread sees {@link ClientGone}. */
    void cancel() {
        cancelled = true;
        Run current = run;
        if (current != null) {
            current.answer.cancel(true);
        }
    }

    /** The name of the device answering. */
    String device() {
        return run.lease.device().name();
    }

    /** How long the request waited for its device. */
    Duration queued() {
        return Duration.ofNanos(run.leased - started);
    }

    /** How long the library took on the device, from opening the conversation to the answer. */
    Duration onDevice() {
        return Duration.ofNanos(run.answered - run.leased);
    }

    /** Stops the device's work if it still runs (the request ended early); its device then goes back. */
    @Override
    public void close() {
        Run current = run;
        if (current != null) {
            current.answer.cancel(true);
        }
    }

    private void checkCancelled() {
        if (cancelled) {
            throw new ClientGone();
        }
    }

    private static RuntimeException unwrap(Throwable thrown) {
        Throwable cause = thrown;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof CancellationException) {
            return new ClientGone();
        }
        return cause instanceof RuntimeException runtime ? runtime : new IllegalStateException(cause);
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.CancelledException;
import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.Description;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.text.ChatTurn;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link Conversation} of {@code fastvlm-core}: its questions run one at a time through the
 * instance's pipeline, each as a user of the instance like a describe request.
 */
final class PipelineConversation implements Conversation {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final PipelineFastVlm instance;
    private final DescribePipeline pipeline;
    private final ConversationState state;
    /** One question at a time, in the order they were asked. */
    private final ReentrantLock questions = new ReentrantLock(true);
    /** The conversation's own thread for {@link #askAsync}; ended by {@link #close()}. */
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "fastvlm-conversation-" + THREADS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });
    private final List<Turn> turns = new ArrayList<>();
    private volatile boolean closed;

    PipelineConversation(PipelineFastVlm instance, DescribePipeline pipeline, ConversationOptions options) {
        this.instance = instance;
        this.pipeline = pipeline;
        this.state = new ConversationState(options);
        turns.addAll(options.history());
    }

    @Override
    public Description ask(String question, GenerationOptions generation, TokenListener listener) {
        instance.enter();
        try {
            try {
                questions.lockInterruptibly();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CancelledException("cancelled while waiting for the conversation's previous question", e);
            }
            try {
                if (closed) {
                    throw new CancelledException("this conversation is closed");
                }
                Description answer = pipeline.converse(state, question, generation,
                        listener == null ? TokenListener.NONE : listener);
                state.add(new ChatTurn(question, answer.text()));
                synchronized (turns) {
                    turns.add(new Turn(question, answer.text()));
                }
                return answer;
            } finally {
                questions.unlock();
            }
        } finally {
            instance.exit();
        }
    }

    @Override
    public CompletableFuture<Description> askAsync(String question, GenerationOptions generation,
                                                   TokenListener listener) {
        if (closed) {
            throw new CancelledException("this conversation is closed");
        }
        Pending pending = new Pending();
        try {
            pending.task = thread.submit(() -> {
                if (pending.isDone()) {
                    return;
                }
                try {
                    pending.complete(ask(question, generation, listener));
                } catch (RuntimeException | Error e) {
                    pending.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            throw new CancelledException("this conversation is closed", e);
        }
        return pending;
    }

    @Override
    public List<Turn> turns() {
        synchronized (turns) {
            return List.copyOf(turns);
        }
    }

    /**
     * Interrupts a running {@link #askAsync} question, ends the conversation's thread and releases
     * the decoder's context for it (after the device's running request, within the instance's life).
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        thread.shutdownNow();
        instance.forget(this);
        if (instance.tryEnter()) {
            try {
                pipeline.endConversation(state);
            } finally {
                instance.exit();
            }
        }
    }

    /** A question's future whose cancel interrupts the question's thread, which stops its device work. */
    private static final class Pending extends CompletableFuture<Description> {
        private volatile Future<?> task;

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            Future<?> running = task;
            if (running != null) {
                running.cancel(true);
            }
            return cancelled;
        }
    }
}

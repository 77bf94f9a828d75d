package dev.fastvlm.core.pipeline;

import dev.fastvlm.CancelledException;
import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.ImageInput;
import dev.fastvlm.TokenListener;
import dev.fastvlm.spi.FastVlmConfig;
import dev.fastvlm.transport.Deadline;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link FastVlm} of {@code fastvlm-core}: the describe pipeline over the configured transport.
 * Every request counts as a user of the pipeline's native resources (the tokenizer, an in-process
 * Genie) and of the transport; {@link #close()} frees them only after the last user is done.
 */
final class PipelineFastVlm implements FastVlm {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final FastVlmConfig config;
    private final DescribePipeline pipeline;
    private final ExecutorService async = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fastvlm-describe-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    /** The threads inside {@link #describe} (a thread appears once per nested call); guarded by this. */
    private final List<Thread> users = new ArrayList<>();
    /** Guarded by this. */
    private boolean closed;
    /** Open conversations, closed with the instance; guarded by this. */
    private final Set<PipelineConversation> conversations = new HashSet<>();
    /** Guarded by this: whether the pipeline and the transport were handed to {@link #release()}. */
    private boolean released;

    PipelineFastVlm(FastVlmConfig config) {
        this.config = config;
        try {
            // build()'s own waits (the device's first answers, the SDK's host tool) obey requestTimeout too.
            this.pipeline = Deadline.after(config.requestTimeout(), "build").call(() -> DescribePipeline.open(config));
        } catch (RuntimeException | Error e) {
            // build() failed: what it was given is still closed, as a built instance's close() would.
            async.shutdownNow();
            try {
                config.device().close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    @Override
    public Description describe(ImageInput image, String prompt, TokenListener listener) {
        enter();
        try {
            return pipeline.describe(image, prompt, listener == null ? TokenListener.NONE : listener);
        } finally {
            exit();
        }
    }

    @Override
    public int contextSize() {
        return pipeline.contextSize();
    }

    @Override
    public Conversation conversation(ConversationOptions options) {
        if (options == null) {
            throw new InvalidConfigurationException("conversation", "pass ConversationOptions with at least an image");
        }
        PipelineConversation conversation = new PipelineConversation(this, pipeline, options);
        synchronized (this) {
            if (closed) {
                throw closedException();
            }
            conversations.add(conversation);
        }
        return conversation;
    }

    /** A conversation that closed: the instance's close() need not close it. */
    synchronized void forget(PipelineConversation conversation) {
        conversations.remove(conversation);
    }

    @Override
    public Future<Description> describeAsync(ImageInput image, String prompt, TokenListener listener) {
        synchronized (this) {
            if (closed) {
                throw closedException();
            }
        }
        try {
            return async.submit(() -> describe(image, prompt, listener));
        } catch (RejectedExecutionException e) {
            throw new CancelledException("this FastVlm was closed", e);
        }
    }

    /**
     * Marks this instance closed, interrupts {@link #describeAsync} requests, waits for the requests
     * in flight to end (each within its request timeout: they finish, or end with a
     * {@link CancelledException} when interrupted), then frees the pipeline and closes the transport.
     * Called from a request's own thread (a listener), that request's end frees them.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        async.shutdownNow();
        List<PipelineConversation> open;
        synchronized (this) {
            open = new ArrayList<>(conversations);
        }
        open.forEach(PipelineConversation::close);
        boolean interrupted = false;
        boolean release;
        synchronized (this) {
            Thread self = Thread.currentThread();
            while (users.stream().anyMatch(user -> user != self)) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    // Freeing native resources under a running request would crash the JVM: keep waiting.
                    interrupted = true;
                }
            }
            release = users.isEmpty() && !released;
            released |= release;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (release) {
            release();
        }
    }

    void enter() {
        if (!tryEnter()) {
            throw closedException();
        }
    }

    /** Counts the calling thread as a user unless the instance is closed; then {@link #exit()} must follow. */
    synchronized boolean tryEnter() {
        if (closed) {
            return false;
        }
        users.add(Thread.currentThread());
        return true;
    }

    void exit() {
        boolean release;
        synchronized (this) {
            users.remove(Thread.currentThread());
            release = closed && users.isEmpty() && !released;
            released |= release;
            notifyAll();
        }
        if (release) {
            release();
        }
    }

    private void release() {
        try {
            pipeline.close();
        } finally {
            config.device().close();
        }
    }

    private static CancelledException closedException() {
        return new CancelledException("this FastVlm is closed");
    }
}

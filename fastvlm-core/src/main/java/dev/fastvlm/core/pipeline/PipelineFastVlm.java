package dev.fastvlm.core.pipeline;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.ImageInput;
import dev.fastvlm.TokenListener;
import dev.fastvlm.spi.FastVlmConfig;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** The {@link FastVlm} of {@code fastvlm-core}: the describe pipeline over the configured transport. */
final class PipelineFastVlm implements FastVlm {

    private static final AtomicInteger THREADS = new AtomicInteger();

    private final FastVlmConfig config;
    private final DescribePipeline pipeline;
    private final ExecutorService async = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fastvlm-describe-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicBoolean closed = new AtomicBoolean();

    PipelineFastVlm(FastVlmConfig config) {
        this.config = config;
        this.pipeline = DescribePipeline.open(config);
    }

    @Override
    public Description describe(ImageInput image, String prompt, TokenListener listener) {
        if (closed.get()) {
            throw new FastVlmException("this FastVlm is closed");
        }
        return pipeline.describe(image, prompt, listener == null ? TokenListener.NONE : listener);
    }

    @Override
    public Future<Description> describeAsync(ImageInput image, String prompt, TokenListener listener) {
        if (closed.get()) {
            throw new FastVlmException("this FastVlm is closed");
        }
        return async.submit(() -> describe(image, prompt, listener));
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            async.shutdownNow();
            try {
                pipeline.close();
            } finally {
                config.device().close();
            }
        }
    }
}

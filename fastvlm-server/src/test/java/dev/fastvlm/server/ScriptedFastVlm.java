package dev.fastvlm.server;

import dev.fastvlm.CancelledException;
import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.Stats;
import dev.fastvlm.TokenListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A FastVlm whose answers a test scripts: what the server does with answers, failures, hangs and a
 * full pool, without devices. Its conversations' asynchronous questions are cancelled by interrupting
 * them, as the library's are.
 */
final class ScriptedFastVlm implements FastVlm {

    /** One question's behaviour. */
    @FunctionalInterface
    interface Script {
        Description answer(ConversationOptions options, String question, GenerationOptions generation,
                           TokenListener listener) throws InterruptedException;
    }

    private final Script script;
    private final ExecutorService threads = Executors.newCachedThreadPool(runnable -> {
        Thread t = new Thread(runnable, "scripted-fastvlm");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed;

    ScriptedFastVlm(Script script) {
        this.script = script;
    }

    /** An answer of {@code text}, streamed word by word. */
    static Description answer(String text, TokenListener listener) {
        List<String> pieces = new ArrayList<>();
        for (String word : text.split("(?<= )")) {
            pieces.add(word);
            listener.onToken(word);
        }
        return new Description(text, new Stats(10, pieces.size(), Duration.ofMillis(5), 100, Duration.ZERO, List.of(),
                0, 0, 0));
    }

    boolean closed() {
        return closed;
    }

    @Override
    public Conversation conversation(ConversationOptions options) {
        return new Conversation() {
            @Override
            public Description ask(String question, GenerationOptions generation, TokenListener listener) {
                try {
                    return script.answer(options, question, generation, listener == null ? TokenListener.NONE : listener);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancelledException("interrupted");
                }
            }

            @Override
            public CompletableFuture<Description> askAsync(String question, GenerationOptions generation,
                                                           TokenListener listener) {
                AtomicReference<Future<?>> task = new AtomicReference<>();
                CompletableFuture<Description> answer = new CompletableFuture<>() {
                    @Override
                    public boolean cancel(boolean mayInterruptIfRunning) {
                        Future<?> running = task.get();
                        if (running != null) {
                            running.cancel(true);
                        }
                        return super.cancel(mayInterruptIfRunning);
                    }
                };
                task.set(threads.submit(() -> {
                    try {
                        answer.complete(ask(question, generation, listener));
                    } catch (RuntimeException e) {
                        answer.completeExceptionally(e);
                    }
                }));
                return answer;
            }

            @Override
            public List<Turn> turns() {
                return options.history();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public Description describe(ImageInput image, String prompt, TokenListener listener) {
        return conversation(ConversationOptions.builder().image(image).build()).ask(prompt, null, listener);
    }

    @Override
    public Future<Description> describeAsync(ImageInput image, String prompt, TokenListener listener) {
        return conversation(ConversationOptions.builder().image(image).build()).askAsync(prompt, null, listener);
    }

    @Override
    public int contextSize() {
        return 1024;
    }

    @Override
    public void close() {
        closed = true;
        threads.shutdownNow();
    }
}

package dev.fastvlm.bench;

import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.Stats;
import dev.fastvlm.TokenListener;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * A FastVlm that answers at once without a device: it lets a benchmark run a server's own code
 * (HTTP, JSON, the pool) thousands of times to warm it up, as a long-lived server's code is, before
 * the measured requests go to a real (emulated) device.
 */
final class InstantFastVlm implements FastVlm {

    private static final Description ANSWER = new Description("Warm.", new Stats(300, 2, Duration.ZERO, 0,
            Duration.ZERO, List.of(), 0, 0, 0));

    @Override
    public Conversation conversation(ConversationOptions options) {
        return new Conversation() {
            @Override
            public Description ask(String question, GenerationOptions generation, TokenListener listener) {
                return ANSWER;
            }

            @Override
            public CompletableFuture<Description> askAsync(String question, GenerationOptions generation,
                                                           TokenListener listener) {
                return CompletableFuture.completedFuture(ANSWER);
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
        return ANSWER;
    }

    @Override
    public Future<Description> describeAsync(ImageInput image, String prompt, TokenListener listener) {
        return CompletableFuture.completedFuture(ANSWER);
    }

    @Override
    public void close() {
    }
}

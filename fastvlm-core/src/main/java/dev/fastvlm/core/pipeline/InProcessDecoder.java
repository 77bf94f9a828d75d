package dev.fastvlm.core.pipeline;

import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.genie.NativeGenie;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The decoder stage with Genie in this process: {@link NativeGenie} on the synced
 * {@code libGenie.so}, created on the first request (after the sync put the library and model in
 * place) and kept until the pipeline closes. Callers hold the device lock.
 */
final class InProcessDecoder implements AutoCloseable {

    private final Path library;
    private final EmbeddingTable table;
    private NativeGenie genie;

    InProcessDecoder(Path library, EmbeddingTable table) {
        this.library = library;
        this.table = table;
    }

    /** @param dialogConfig the Genie config JSON, needed only when the dialog is created */
    DecoderOutput decode(Supplier<String> dialogConfig, CombinedEmbeddings combined, int maxNewTokens, TokenListener listener, Duration timeLeft,
                         StageClock clock) {
        Duration init = Duration.ZERO;
        if (genie == null) {
            genie = clock.time("decoder-load", () -> NativeGenie.open(library, dialogConfig.get(), table));
            init = genie.initTime();
        }
        NativeGenie.Answer answer = clock.time("decoder", () -> genie.query(combined, maxNewTokens, listener,
                timeLeft));
        return new DecoderOutput(answer.text(), answer.profile(), init);
    }

    @Override
    public void close() {
        if (genie != null) {
            genie.close();
            genie = null;
        }
    }
}

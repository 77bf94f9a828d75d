package dev.fastvlm.core.pipeline;

import dev.fastvlm.GenerationOptions;
import dev.fastvlm.Stage;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.local.NativeGenie;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link dev.fastvlm.DecoderEngine#IN_PROCESS}: {@link NativeGenie} on the synced
 * {@code libGenie.so}, created on the first request (after the sync put the library and model in
 * place) and kept until the pipeline closes.
 */
final class InProcessDecoder implements Decoder {

    private final Path library;
    private final EmbeddingTable table;
    private final DialogConfigs configs;
    private final GenerationOptions instanceGeneration;
    private NativeGenie genie;

    InProcessDecoder(Path library, EmbeddingTable table, DialogConfigs configs, GenerationOptions instanceGeneration) {
        this.library = library;
        this.table = table;
        this.configs = configs;
        this.instanceGeneration = instanceGeneration;
    }

    @Override
    public DecoderOutput decode(RequestWork work, CombinedEmbeddings combined, GenerationOptions generation,
                                int maxNewTokens, TokenListener listener) {
        Duration init = Duration.ZERO;
        if (genie == null) {
            // The dialog outlives requests, so a request's own limit is set per query, not in this config.
            genie = work.clock().time(Stage.DECODER_LOAD, () -> NativeGenie.open(library,
                    configs.forPrompt(1, instanceGeneration).toJson(), table));
            init = genie.initTime();
        }
        NativeGenie.Answer answer = work.clock().time(Stage.DECODER, () -> genie.query(combined, maxNewTokens,
                listener, work.remaining()));
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

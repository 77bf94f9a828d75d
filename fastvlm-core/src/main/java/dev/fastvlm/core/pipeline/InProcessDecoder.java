package dev.fastvlm.core.pipeline;

import dev.fastvlm.GenerationOptions;
import dev.fastvlm.Stage;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.genie.NativeGenie;

import java.nio.file.Path;
import java.time.Duration;

/**
 * {@link dev.fastvlm.DecoderEngine#IN_PROCESS}: {@link NativeGenie} on the synced
 * {@code libGenie.so}, created by {@link #preload()} or on the first request (after the sync put the
 * library and model in place) and kept until the pipeline closes.
 *
 * <p>One dialog serves every conversation. After a conversation's turn it keeps that turn's
 * context (the prompt and the generated answer); the conversation's next turn sends only the rows
 * after its previous answer, starting with that answer's end-of-turn token. Any other prompt (a
 * describe, another conversation, a turn whose history was cut) resets the dialog and sends its
 * whole prompt: the displaced conversation replays its history on its next turn, with its earlier
 * answers as the tokenizer encodes their text.
 */
final class InProcessDecoder implements Decoder {

    private final Path library;
    private final EmbeddingTable table;
    private final DialogConfigs configs;
    private final GenerationOptions instanceGeneration;
    private NativeGenie genie;
    /** The turn whose context the dialog holds; null when it holds none. */
    private DialogTurn held;

    InProcessDecoder(Path library, EmbeddingTable table, DialogConfigs configs, GenerationOptions instanceGeneration) {
        this.library = library;
        this.table = table;
        this.configs = configs;
        this.instanceGeneration = instanceGeneration;
    }

    @Override
    public void preload() {
        if (genie == null) {
            genie = open();
        }
    }

    private NativeGenie open() {
        // The dialog outlives requests, so a request's own limit is set per query, not in this config.
        return NativeGenie.open(library, configs.forPrompt(1, instanceGeneration).toJson(), table);
    }

    @Override
    public DecoderOutput decode(RequestWork work, CombinedEmbeddings combined, GenerationOptions generation,
                                int maxNewTokens, DialogTurn turn, TokenListener listener) {
        Duration init = Duration.ZERO;
        if (genie == null) {
            genie = work.clock().time(Stage.DECODER_LOAD, this::open);
            init = genie.initTime();
        }
        boolean continues = turn.follows(held);
        if (!continues && held != null) {
            genie.reset();
        }
        held = null;
        CombinedEmbeddings rows = continues ? combined.from(turn.historyRows()) : combined;
        NativeGenie.Answer answer = work.clock().time(Stage.DECODER, () -> genie.query(rows, maxNewTokens,
                listener, work.remaining(), turn.keepsContext()));
        held = turn.keepsContext() ? turn : null;
        return new DecoderOutput(answer.text(), answer.profile(), init);
    }

    @Override
    public void release(Object owner) {
        if (held != null && held.owner() == owner) {
            held = null;
            genie.reset();
        }
    }

    @Override
    public void close() {
        if (genie != null) {
            genie.close();
            genie = null;
        }
    }
}

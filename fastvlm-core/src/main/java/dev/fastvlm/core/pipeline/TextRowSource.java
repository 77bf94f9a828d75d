package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifact;
import dev.fastvlm.Stage;
import dev.fastvlm.TextEmbeddingSource;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.embed.TextEmbeddings;
import dev.fastvlm.core.text.EncodedPrompt;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.TensorSpec;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where a prompt's embedding rows come from, chosen once at {@code build()} from
 * {@link TextEmbeddingSource}: the host's table, or the device's text embedder.
 */
interface TextRowSource {

    /**
     * The rows of {@code text}'s tokens.
     *
     * @param work the request's device, clock, directory and time limit
     * @param text the prompt's token ids
     * @return one row per token
     */
    TextEmbeddings embed(RequestWork work, EncodedPrompt text);

    /** The source {@code source} names, over this bundle and table. */
    static TextRowSource of(TextEmbeddingSource source, ModelBundle bundle, EmbeddingTable table) {
        return switch (source) {
            case HOST_TABLE -> (work, text) -> work.clock().time(Stage.TEXT_EMBEDDINGS, () -> table.gather(text.ids()));
            case DEVICE_EMBEDDER -> new DeviceTextEmbedder(bundle);
        };
    }

    /** The bundle's text embedder as a {@code qnn-net-run} program: ids pushed padded, rows read back. */
    final class DeviceTextEmbedder implements TextRowSource {
        private final ModelBundle bundle;
        private final QnnGraph graph;

        DeviceTextEmbedder(ModelBundle bundle) {
            this.bundle = bundle;
            this.graph = bundle.textEmbedder().orElseThrow();
        }

        @Override
        public TextEmbeddings embed(RequestWork work, EncodedPrompt text) {
            int cacheLen = graph.onlyInput().innermost();
            String input = work.file("input_ids.raw");
            String list = work.file("embed_input_list.txt");
            work.clock().time(Stage.PUSH_IDS, () -> work.device().writeAll(List.of(
                    Upload.of(input, text.toPaddedInt32(cacheLen)).inPlace(),
                    Upload.of(list, (input + "\n").getBytes(StandardCharsets.UTF_8)).inPlace()),
                    TransferListener.NONE));
            TensorSpec output = graph.onlyOutput();
            RequestWork.RawOutput raw = work.runGraph(Stage.TEXT_EMBEDDER, Stage.PULL_EMBED, "embed",
                    bundle.require(ModelArtifact.TEXT_EMBEDDER).getFileName().toString(), list, output);
            return TextEmbeddings.fromEmbedderOutput(raw.data(), output, text.size(), raw.source());
        }
    }
}

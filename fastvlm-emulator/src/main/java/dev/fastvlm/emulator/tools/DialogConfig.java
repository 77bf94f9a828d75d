package dev.fastvlm.emulator.tools;

import dev.fastvlm.genie.config.BackendType;
import dev.fastvlm.genie.config.EmbeddingConfig;
import dev.fastvlm.genie.config.EmbeddingDatatype;
import dev.fastvlm.genie.config.EngineConfig;
import dev.fastvlm.genie.config.GenieConfig;
import dev.fastvlm.genie.config.GenieConfigException;
import dev.fastvlm.genie.config.QuantParam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the emulated genie-t2t-run takes from a dialog config. The config is checked by Genie's own
 * rules ({@link GenieConfig}, held against Qualcomm's real files); a config Genie rejects fails as
 * {@code GenieDialogConfig_createFromJson} does, with Genie's reasons as log lines on stdout.
 *
 * @param embeddingSize     elements per token embedding
 * @param embeddingDatatype element type the engine takes ({@code float32}, {@code native}, ...)
 * @param quantParam        scale and offset of fixed-point embeddings, or null
 * @param contextSize       tokens the context holds
 * @param nVocab            vocabulary size
 * @param eosTokens         tokens that end generation
 * @param stopSequences     strings that end generation
 * @param maxNumTokens      most tokens to generate ({@code Integer.MAX_VALUE} when absent)
 * @param tokenizer         the tokenizer file
 * @param backendType       the main engine's backend
 * @param modelFiles        the main engine's model files
 * @param dialogType        the dialog type
 */
record DialogConfig(int embeddingSize, String embeddingDatatype, QuantParam quantParam, int contextSize, int nVocab,
                    List<Integer> eosTokens, List<String> stopSequences, int maxNumTokens, Path tokenizer,
                    BackendType backendType, List<Path> modelFiles, String dialogType) {

    /** Reads and checks {@code file}; the emulated failure says why. */
    static DialogConfig read(Path file, ToolContext ctx) {
        GenieConfig config;
        try {
            config = GenieConfig.read(file);
        } catch (GenieConfigException e) {
            StringBuilder log = new StringBuilder();
            e.violations().forEach(v -> log.append("[ERROR] \"").append(v).append("\"\n"));
            throw new ToolFailure(log.toString(), "Failed to create the dialog config.", 1, false);
        }
        EngineConfig engine = config.engine();
        EmbeddingConfig embedding = config.embedding();
        int size = embedding != null ? embedding.size()
                : config.context().nEmbd() != null ? config.context().nEmbd()
                : engine.backend().qnnGenAiTransformer() != null
                        && engine.backend().qnnGenAiTransformer().nEmbd() != null
                        ? engine.backend().qnnGenAiTransformer().nEmbd() : 0;
        List<Path> files = new ArrayList<>();
        if (engine.model().ctxBins() != null) {
            engine.model().ctxBins().forEach(f -> files.add(ctx.path(f)));
        } else if (engine.model().modelBin() != null) {
            files.add(ctx.path(engine.model().modelBin()));
        }
        EmbeddingDatatype datatype = embedding == null || embedding.datatype() == null ? EmbeddingDatatype.FLOAT32
                : embedding.datatype();
        return new DialogConfig(size, datatype.jsonName(), embedding == null ? null : embedding.quantParam(),
                config.context().size(), config.context().nVocab(), config.context().eosTokens(),
                config.stopSequence() == null ? List.of() : config.stopSequence(),
                config.maxNumTokens() == null ? Integer.MAX_VALUE : config.maxNumTokens(),
                ctx.path(config.tokenizerPath()), engine.backend().type(), List.copyOf(files), config.type());
    }
}

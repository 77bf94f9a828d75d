package dev.fastvlm.core.pipeline;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ModelArtifact;
import dev.fastvlm.genie.config.FastVlmGenieConfigs;
import dev.fastvlm.genie.config.GenieConfig;

import java.util.List;

/** The Genie dialog configs of one instance: its bundle's files as the device sees them, its backend. */
final class DialogConfigs {

    private final ModelBundle bundle;
    private final String deviceDir;
    private final DecoderBackend backend;

    DialogConfigs(ModelBundle bundle, String deviceDir, DecoderBackend backend) {
        this.bundle = bundle;
        this.deviceDir = deviceDir;
        this.backend = backend;
    }

    /** The config of a dialog whose prompt has {@code promptTokens} rows, generating as {@code generation} says. */
    GenieConfig forPrompt(int promptTokens, GenerationOptions generation) {
        FastVlmGenieConfigs.Builder builder = FastVlmGenieConfigs.builder(bundle.geometry(), backend)
                .contextSize(bundle.contextSize())
                .tokenizerPath(deviceDir + "/" + bundle.require(ModelArtifact.TOKENIZER).getFileName())
                .modelFiles(List.of(deviceDir + "/" + bundle.require(ModelArtifact.DECODER).getFileName()))
                .generation(generation)
                .promptTokens(promptTokens);
        if (backend == DecoderBackend.HTP) {
            builder.extensionsPath(deviceDir + "/" + DescribePipeline.HTP_EXTENSIONS);
        }
        return builder.build();
    }
}

package dev.fastvlm.cli;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.genie.config.DecoderGeometry;
import dev.fastvlm.genie.config.EmbeddingDatatype;
import dev.fastvlm.genie.config.FastVlmGenieConfigs;
import dev.fastvlm.genie.config.GenieConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code fastvlm genie-config}: writes the Genie dialog config for a FastVLM bundle, its decoder
 * geometry read from the bundle's {@code config.json} and its file names those of the seed flow.
 */
@Command(name = "genie-config", mixinStandardHelpOptions = true,
        description = "Write a valid Genie dialog config for a FastVLM model directory.")
final class GenieConfigCommand implements Callable<Integer> {
    /** The seed flow's file names on the device. */
    static final String TOKENIZER = "tokenizer.json";
    static final String DECODER = "fastvlm_model_z8.bin";
    static final String LUT = "LUT.bin";
    static final String HTP_EXTENSIONS = "htp_backend_ext_config.json";

    @Spec
    CommandSpec spec;

    @Option(names = "--model-dir", required = true, paramLabel = "DIR",
            description = "Model directory; its config.json gives the decoder geometry.")
    Path modelDir;

    @Option(names = "--backend", defaultValue = "cpu", paramLabel = "cpu|htp",
            description = "Where the language model runs: cpu (Genie's QnnGenAiTransformer on the phone's CPU)"
                    + " or htp (QnnHtp on its NPU). Default: ${DEFAULT-VALUE}.")
    String backend;

    @Option(names = "--context", defaultValue = "512", paramLabel = "TOKENS",
            description = "Context size the decoder was exported with. Default: ${DEFAULT-VALUE}.")
    int context;

    @Option(names = "--max-new-tokens", paramLabel = "N",
            description = "Most tokens to generate (default: the library's default, 128).")
    Integer maxNewTokens;

    @Option(names = "--prompt-tokens", defaultValue = "1", paramLabel = "N",
            description = "Tokens the prompt will take (vision + text); max-num-tokens is what is left of the"
                    + " context, capped by --max-new-tokens. Default: ${DEFAULT-VALUE}.")
    int promptTokens;

    @Option(names = "--device-dir", paramLabel = "DIR",
            description = "Device directory to prefix the file names with (default: names relative to the"
                    + " directory genie-t2t-run runs in).")
    String deviceDir;

    @Option(names = "--out", paramLabel = "FILE", description = "Write here (atomically) instead of to stdout.")
    Path out;

    @Override
    public Integer call() {
        DecoderBackend decoder = switch (backend) {
            case "cpu" -> DecoderBackend.CPU;
            case "htp" -> DecoderBackend.HTP;
            default -> throw new ParameterException(spec.commandLine(),
                    "--backend must be cpu or htp, was '" + backend + "'");
        };
        DecoderGeometry geometry = DecoderGeometry.fromHuggingFaceConfig(modelDir.resolve("config.json"));
        GenerationOptions.Builder options = GenerationOptions.builder();
        if (maxNewTokens != null) {
            options.maxNewTokens(maxNewTokens);
        }
        FastVlmGenieConfigs.Builder builder = FastVlmGenieConfigs.builder(geometry, decoder)
                .contextSize(context)
                .tokenizerPath(device(TOKENIZER))
                .modelFiles(List.of(device(DECODER)))
                .embeddingDatatype(EmbeddingDatatype.FLOAT32)
                .generation(options.build())
                .promptTokens(promptTokens);
        if (decoder == DecoderBackend.HTP) {
            // The CPU decoder gets the LUT from genie-t2t-run --embedding_table, as in the seed.
            builder.lutPath(device(LUT)).extensionsPath(device(HTP_EXTENSIONS));
        }
        GenieConfig config = builder.build();
        if (out == null) {
            spec.commandLine().getOut().print(config.toJson());
            spec.commandLine().getOut().flush();
        } else {
            config.write(out);
            spec.commandLine().getErr().println("wrote " + out);
        }
        return 0;
    }

    private String device(String name) {
        if (deviceDir == null) {
            return name;
        }
        return deviceDir.endsWith("/") ? deviceDir + name : deviceDir + "/" + name;
    }
}

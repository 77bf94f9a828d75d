package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.emulator.model.EmulatedGraph;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Emulated host tool {@code qnn-genai-transformer-composer --model HF_DIR --outfile F.bin
 * [--quantize Z4|Z4_FP16|Z8|Q4]}: checks the HuggingFace folder (a {@code config.json} with the
 * decoder's geometry and safetensors weights) and writes an emulated CPU decoder of its width.
 */
final class GenAiComposer {
    static final String NAME = "qnn-genai-transformer-composer";
    static final String USAGE = "usage: qnn-genai-transformer-composer (fastvlm emulated) --model HF_DIR --outfile FILE"
            + " [--quantize Z4|Z4_FP16|Z8|Q4] [--config_file FILE] [--lm_head_precision FP_32]";
    private static final Set<String> QUANTIZATIONS = Set.of("Z4", "Z4_FP16", "Z8", "Q4");
    private static final Map<String, Integer> OPTIONS = Map.of("--model", 1, "--outfile", 1, "--quantize", 1,
            "--config_file", 1, "--lm_head_precision", 1, "--export_tokenizer_json", 0, "--dump_lut", 0);

    private final ToolContext ctx;
    private final PrintStream out;

    GenAiComposer(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    int run(String[] args) throws IOException {
        HostArguments a = new HostArguments(args, OPTIONS);
        Path model = ctx.path(a.required("--model"));
        String quantize = a.value("--quantize");
        if (quantize != null && !QUANTIZATIONS.contains(quantize)) {
            throw new ToolFailure("ERROR: --quantize must be one of Z4, Z4_FP16, Z8, Q4, was " + quantize);
        }
        if (a.has("--dump_lut") || a.has("--export_tokenizer_json")) {
            throw new ToolFailure("ERROR: the emulated composer writes only the model (LUT.bin and tokenizer.json come"
                    + " from the checkpoint on the host)");
        }
        Path config = model.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new ToolFailure("ERROR: " + ctx.shown(model) + " has no config.json");
        }
        if (!Files.isRegularFile(model.resolve("model.safetensors"))
                && !Files.isRegularFile(model.resolve("model.safetensors.index.json"))) {
            throw new ToolFailure("ERROR: " + ctx.shown(model) + " has no model.safetensors or index");
        }
        JsonNode c = new ObjectMapper().readTree(config.toFile());
        int width = c.path("hidden_size").asInt();
        int vocab = c.path("vocab_size").asInt();
        if (width <= 0 || vocab <= 0) {
            throw new ToolFailure("ERROR: " + ctx.shown(config) + " has no hidden_size / vocab_size");
        }
        Path target = ctx.path(a.required("--outfile"));
        new EmulatedGraph(EmulatedGraph.Kind.DECODER, "fastvlm_decoder",
                List.of(new TensorSpec("inputs_embeds", QnnDataType.FLOAT_32, List.of(1, 1, width), Optional.empty())),
                List.of(new TensorSpec("logits", QnnDataType.FLOAT_32, List.of(1, 1, vocab), Optional.empty())),
                width).write(target);
        out.println("qnn-genai-transformer-composer (fastvlm emulated): wrote " + ctx.shown(target)
                + (quantize == null ? " (FP32)" : " (" + quantize + ")"));
        return 0;
    }
}

package dev.fastvlm.cli;

import dev.fastvlm.ImageLayout;
import dev.fastvlm.core.text.EncodedPrompt;
import dev.fastvlm.core.text.PromptOptions;
import dev.fastvlm.core.text.PromptTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code fastvlm tokenize}: the prompt's text token ids as the pipeline computes them, as one JSON
 * object on stdout, and optionally the text embedder's padded int32 input file.
 */
@Command(name = "tokenize",
        mixinStandardHelpOptions = true,
        description = "Print a prompt's token ids as one JSON object: \"ids\" (real tokens, unpadded) and, for the"
                + " placeholder layout, \"image_index\" (text tokens before the image's rows). `fastvlm combine"
                + " --ids-json` reads it as it is.")
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--tokenizer", required = true, paramLabel = "DIR",
            description = "Directory with tokenizer.json (and tokenizer_config.json), or the tokenizer.json file.")
    Path tokenizer;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "The user's prompt.")
    String prompt;

    @Option(names = "--layout", defaultValue = "prepend", paramLabel = "prepend|placeholder",
            description = "Where the image's rows go (default: ${DEFAULT-VALUE}).")
    String layout;

    @Option(names = "--no-chat-template", description = "Encode the prompt as plain text, without the chat template.")
    boolean noChatTemplate;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt (default: the chat template's).")
    String system;

    @Option(names = "--literal", description = "Tokenize special-token text in the prompt literally.")
    boolean literal;

    @Option(names = "--context", defaultValue = "512", paramLabel = "N",
            description = "The text embedder's cache_len: the padded length, and the most tokens a prompt may have "
                    + "(default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Also write the padded int32 little-endian [1, N] input file (atomically).")
    Path out;

    @Override
    public Integer call() {
        if (context <= 0) {
            throw new IllegalArgumentException("--context must be > 0, was " + context);
        }
        PromptOptions options = PromptOptions.builder()
                .layout(ImageLayouts.parse(layout))
                .chatTemplate(!noChatTemplate)
                .systemPrompt(system)
                .literalUserText(literal)
                .build();
        try (PromptTokenizer loaded = PromptTokenizer.load(tokenizer)) {
            EncodedPrompt encoded = loaded.encode(prompt, options);
            if (out != null) {
                encoded.writePadded(out, context);
            } else {
                // The prompt must fit the text embedder even when no file is asked for.
                encoded.toPaddedInt32(context);
            }
            StringBuilder json = new StringBuilder("{\"ids\":[")
                    .append(Arrays.stream(encoded.ids()).mapToObj(Integer::toString).collect(Collectors.joining(",")))
                    .append(']');
            encoded.imageIndex().ifPresent(at -> json.append(",\"image_index\":").append(at));
            json.append('}');
            spec.commandLine().getOut().println(json);
            spec.commandLine().getOut().flush();
            return 0;
        }
    }

}

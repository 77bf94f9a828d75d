package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.Stage;
import dev.fastvlm.StageTiming;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code fastvlm chat}: a conversation about one image, or about none. Questions come from {@code --prompt}
 * (repeated) or, without it, from standard input, one per line; each answer is streamed, or with
 * {@code --json} printed as one JSON object per question with its figures and the number of
 * vision-encoder runs it made (1 for the first question, 0 after).
 */
@Command(name = "chat", mixinStandardHelpOptions = true,
        description = "Ask several questions about one image (or, without --image, none), each with the whole"
                + " conversation so far (questions from --prompt, else one per line of standard input).")
final class ChatCommand extends SessionCommand {

    @Option(names = "--image", paramLabel = "FILE",
            description = "The image the conversation is about (JPEG, PNG, BMP, GIF, TIFF or WebP); without it"
                    + " the conversation is text only.")
    Path image;

    @Option(names = "--prompt", paramLabel = "TEXT",
            description = "A question; repeat for several. Without it, each line of standard input is one.")
    List<String> prompts = new ArrayList<>();

    @Override
    int use(FastVlm vlm, BooleanSupplier emulated, PrintWriter out) {
        ConversationOptions.Builder options = ConversationOptions.builder();
        if (image != null) {
            options.image(image);
        }
        try (Conversation chat = vlm.conversation(options.build())) {
            if (!prompts.isEmpty()) {
                for (String question : prompts) {
                    answer(chat, question, emulated, out);
                }
                return 0;
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (!line.isBlank()) {
                    answer(chat, line.strip(), emulated, out);
                }
            }
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read questions from standard input: " + e.getMessage(), e);
        }
    }

    private void answer(Conversation chat, String question, BooleanSupplier emulated, PrintWriter out) {
        Description d = chat.ask(question, streamTo(out));
        if (json) {
            out.println(turnJson(chat.turns().size(), question, d, emulated.getAsBoolean()));
        } else {
            out.println();
            out.println(figures(d.stats()));
            out.println();
        }
        out.flush();
    }

    /** {@link #toJson} of the answer with the turn's number, its question and its vision-encoder runs. */
    static String turnJson(int turn, String question, Description d, boolean emulated) {
        try {
            ObjectNode root = (ObjectNode) new ObjectMapper().readTree(toJson(d, emulated));
            root.put("turn", turn);
            root.put("question", question);
            root.put("visionEncoderRuns", d.stats().stages().stream().map(StageTiming::stage)
                    .filter(Stage.VISION_ENCODER::equals).count());
            return root.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

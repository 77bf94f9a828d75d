package dev.fastvlm.e2e;

import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.DecoderEngine;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.Stage;
import dev.fastvlm.StageTiming;
import dev.fastvlm.core.text.PromptTokenizer;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Three-question conversations over {@link dev.fastvlm.core.local.LocalTransport} with both decoder
 * engines on the stand-in Genie (src/test/c of fastvlm-core), in both image layouts: the vision
 * encoder runs on the first question only, the answers name the image's colours and the whole
 * history the decoder was given (earlier user and assistant turns, the system prompt, the last
 * question's length), both engines answer alike, and the in-process engine sends only each new
 * question's rows.
 */
class ConversationEndToEndTest {

    private static final List<String> QUESTIONS = List.of("Describe the image.", "What colour is the left half?",
            "And the right half, in one word?");

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bundle;
    static Path bin;
    static Path image;
    static PromptTokenizer tokenizer;

    @BeforeAll
    static void device() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        StandInGenie.install(sdk, Files.createDirectories(dir.resolve("genie-build")));
        bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        bin = LocalDescribeEndToEndTest.fakeAndroidCommands(dir.resolve("bin"));
        image = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
        tokenizer = PromptTokenizer.load(bundle.resolve(EmulatedBundle.TOKENIZER));
    }

    @AfterAll
    static void closeTokenizer() {
        tokenizer.close();
    }

    private static FastVlm open(DecoderEngine engine, ImageLayout layout) {
        return FastVlm.builder()
                .device(LocalDescribeEndToEndTest.localDevice(bin))
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk)
                        .deviceDirectory(dir.resolve("device-" + engine + "-" + layout).toString()).build())
                .imageLayout(layout)
                .decoderEngine(engine)
                .build();
    }

    private static List<Description> converse(DecoderEngine engine, ImageLayout layout, List<List<String>> pieces) {
        List<Description> answers = new ArrayList<>();
        try (FastVlm vlm = open(engine, layout);
             Conversation chat = vlm.conversation(ConversationOptions.builder().image(image)
                     .systemPrompt("You answer about colours.").build())) {
            for (String question : QUESTIONS) {
                List<String> streamed = new ArrayList<>();
                answers.add(chat.ask(question, streamed::add));
                pieces.add(streamed);
            }
            assertThat(chat.turns()).extracting(Conversation.Turn::question).isEqualTo(QUESTIONS);
            assertThat(chat.turns()).extracting(Conversation.Turn::answer)
                    .isEqualTo(answers.stream().map(Description::text).toList());
        }
        return answers;
    }

    private static long runs(Description d, Stage stage) {
        return d.stats().stages().stream().map(StageTiming::stage).filter(stage::equals).count();
    }

    @ParameterizedTest
    @EnumSource(ImageLayout.class)
    void threeQuestionsRunTheVisionEncoderOnceAndBothEnginesAnswerAlike(ImageLayout layout) {
        List<List<String>> processPieces = new ArrayList<>();
        List<List<String>> nativePieces = new ArrayList<>();
        List<Description> process = converse(DecoderEngine.PROCESS, layout, processPieces);
        List<Description> inProcess = converse(DecoderEngine.IN_PROCESS, layout, nativePieces);

        assertThat(inProcess).extracting(Description::text).isEqualTo(process.stream().map(Description::text).toList());
        assertThat(process.get(0).text()).startsWith("Stand-in Genie saw ")
                .endsWith("the image is red on the left and blue on the right.");
        for (int turn = 1; turn < QUESTIONS.size(); turn++) {
            int questionTokens = tokenizer.encodeText(QUESTIONS.get(turn)).length;
            assertThat(process.get(turn).text()).isEqualTo("Stand-in Genie recalls 256 image rows: the image is red"
                    + " on the left and blue on the right; earlier turns: " + turn + " user and " + turn
                    + " assistant; system prompt: yes; the last question has " + questionTokens + " tokens.");
        }
        for (List<Description> engine : List.of(process, inProcess)) {
            assertThat(runs(engine.get(0), Stage.VISION_ENCODER)).isOne();
            assertThat(runs(engine.get(0), Stage.PREPROCESS)).isOne();
            for (Description later : engine.subList(1, engine.size())) {
                assertThat(runs(later, Stage.VISION_ENCODER)).isZero();
                assertThat(runs(later, Stage.PUSH_IMAGE)).isZero();
                assertThat(runs(later, Stage.PREPROCESS)).isZero();
            }
        }
        for (int i = 0; i < QUESTIONS.size(); i++) {
            assertThat(String.join("", processPieces.get(i))).isEqualTo(process.get(i).text());
            assertThat(String.join("", nativePieces.get(i))).isEqualTo(inProcess.get(i).text());
        }
        // genie-t2t-run gets the whole conversation each time; the kept dialog only each new question's rows.
        assertThat(process.get(0).stats().promptTokens()).isEqualTo(inProcess.get(0).stats().promptTokens());
        assertThat(process.get(1).stats().promptTokens()).isGreaterThan(process.get(0).stats().promptTokens());
        assertThat(process.get(2).stats().promptTokens()).isGreaterThan(process.get(1).stats().promptTokens());
        for (int turn = 1; turn < QUESTIONS.size(); turn++) {
            // <|im_end|>\n<|im_start|>user\n QUESTION <|im_end|>\n<|im_start|>assistant\n
            int newRows = 2 + 3 + tokenizer.encodeText(QUESTIONS.get(turn)).length + 2 + 3;
            assertThat(inProcess.get(turn).stats().promptTokens()).isEqualTo(newRows);
        }
    }

    @Test
    void aQuestionThatDoesNotFitFailsBeforeAnyDeviceWorkNamingTheNumbers() {
        try (FastVlm vlm = open(DecoderEngine.PROCESS, ImageLayout.PREPEND);
             Conversation chat = vlm.conversation(ConversationOptions.builder().image(image).build())) {
            String longQuestion = "colour ".repeat(20_000);
            assertThatThrownBy(() -> chat.ask(longQuestion)).isInstanceOf(InvalidInputException.class)
                    .hasMessageContaining("does not fit the decoder's context").hasMessageContaining("history 256 tokens")
                    .hasMessageContaining("room left 0").hasMessageContaining("DROP_OLDEST");
            assertThat(chat.turns()).isEmpty();
            // Nothing ran: the next question is still the first, and it runs the vision encoder.
            Description first = chat.ask("Describe the image.");
            assertThat(runs(first, Stage.VISION_ENCODER)).isOne();
            assertThat(first.text()).startsWith("Stand-in Genie saw ");
        }
    }

    @Test
    void perQuestionSettingsAndAsyncQuestionsOnTwoConversationsSideBySide() throws Exception {
        try (FastVlm vlm = open(DecoderEngine.IN_PROCESS, ImageLayout.PREPEND);
             Conversation first = vlm.conversation(ConversationOptions.builder().image(image).build());
             Conversation second = vlm.conversation(ConversationOptions.builder().image(image).build())) {
            GenerationOptions short4 = GenerationOptions.builder().maxNewTokens(4).build();
            CompletableFuture<Description> a1 = first.askAsync(QUESTIONS.get(0), short4, null);
            CompletableFuture<Description> b1 = second.askAsync(QUESTIONS.get(0), null, null);
            assertThat(a1.get().stats().generatedTokens()).isEqualTo(4);
            assertThat(b1.get().stats().generatedTokens()).isGreaterThan(4);
            // The dialog holds one conversation at a time: each switch replays the other's history.
            Description a2 = first.ask(QUESTIONS.get(1));
            Description b2 = second.ask(QUESTIONS.get(1));
            Description a3 = first.ask(QUESTIONS.get(2));
            assertThat(a2.text()).contains("earlier turns: 1 user and 1 assistant");
            assertThat(b2.text()).contains("earlier turns: 1 user and 1 assistant");
            assertThat(a3.text()).contains("earlier turns: 2 user and 2 assistant");
            assertThat(a3.stats().promptTokens()).isGreaterThan(256);
            Description a4 = first.ask("Thanks.");
            assertThat(a4.stats().promptTokens()).isLessThan(50);
        }
    }
}

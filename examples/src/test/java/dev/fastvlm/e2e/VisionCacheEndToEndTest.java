package dev.fastvlm.e2e;

import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.DecoderEngine;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.Stage;
import dev.fastvlm.StageTiming;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The instance-wide vision cache ({@link FastVlm.Builder#visionCacheSize}) and text-only
 * conversations over {@link dev.fastvlm.core.local.LocalTransport} with the stand-in Genie: a
 * cached image's second describe runs no vision encoder and answers alike, the cache is off by
 * default, its bound evicts the least recently used image, a conversation uses it, and a
 * conversation without an image answers from text rows alone.
 */
class VisionCacheEndToEndTest {

    private static final String PROMPT = "Describe the image.";
    private static final AtomicInteger DEVICES = new AtomicInteger();

    @TempDir
    static Path dir;
    static Path sdk;
    static Path bundle;
    static Path bin;
    static Path redBlue;
    static Path greenYellow;

    @BeforeAll
    static void device() throws IOException {
        sdk = EmulatedSdk.write(dir.resolve("sdk"));
        StandInGenie.install(sdk, Files.createDirectories(dir.resolve("genie-build")));
        bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        bin = LocalDescribeEndToEndTest.fakeAndroidCommands(dir.resolve("bin"));
        redBlue = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
        greenYellow = TwoColourImages.write(dir.resolve("green-yellow.png"), Color.GREEN, Color.YELLOW);
    }

    private static FastVlm.Builder builder(DecoderEngine engine) {
        return FastVlm.builder()
                .device(LocalDescribeEndToEndTest.localDevice(bin))
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk)
                        .deviceDirectory(dir.resolve("device-" + DEVICES.incrementAndGet()).toString()).build())
                .decoderEngine(engine);
    }

    private static long runs(Description d, Stage stage) {
        return d.stats().stages().stream().map(StageTiming::stage).filter(stage::equals).count();
    }

    private static boolean encoded(Description d) {
        return runs(d, Stage.VISION_ENCODER) == 1 && runs(d, Stage.PUSH_IMAGE) == 1;
    }

    private static boolean notEncoded(Description d) {
        return runs(d, Stage.VISION_ENCODER) == 0 && runs(d, Stage.PUSH_IMAGE) == 0 && runs(d, Stage.PULL_VISION) == 0;
    }

    @Test
    void aCachedImageRunsNoVisionEncoderTheSecondTimeAndAnswersAlike() {
        try (FastVlm vlm = builder(DecoderEngine.PROCESS).visionCacheSize(2).build()) {
            Description first = vlm.describe(redBlue, PROMPT);
            Description second = vlm.describe(redBlue, PROMPT);
            assertThat(encoded(first)).isTrue();
            assertThat(notEncoded(second)).as("stages %s", second.stats().stages()).isTrue();
            assertThat(runs(second, Stage.PREPROCESS)).isOne();
            assertThat(second.text()).isEqualTo(first.text())
                    .endsWith("the image is red on the left and blue on the right.");
            // A conversation about the same image takes its rows from the cache too.
            try (Conversation chat = vlm.conversation(ConversationOptions.builder().image(redBlue).build())) {
                Description answer = chat.ask(PROMPT);
                assertThat(notEncoded(answer)).isTrue();
                assertThat(answer.text()).isEqualTo(first.text());
            }
        }
    }

    @Test
    void withoutTheCacheTheDefaultEveryDescribeRunsTheVisionEncoder() {
        try (FastVlm vlm = builder(DecoderEngine.PROCESS).build()) {
            Description first = vlm.describe(redBlue, PROMPT);
            Description second = vlm.describe(redBlue, PROMPT);
            assertThat(encoded(first)).isTrue();
            assertThat(encoded(second)).isTrue();
            assertThat(second.text()).isEqualTo(first.text());
        }
    }

    @Test
    void theBoundEvictsTheLeastRecentlyUsedImage() {
        try (FastVlm vlm = builder(DecoderEngine.PROCESS).visionCacheSize(1).build()) {
            Description red = vlm.describe(redBlue, PROMPT);
            Description green = vlm.describe(greenYellow, PROMPT);
            Description redAgain = vlm.describe(redBlue, PROMPT);
            Description redThird = vlm.describe(redBlue, PROMPT);
            assertThat(encoded(red)).isTrue();
            assertThat(encoded(green)).isTrue();
            assertThat(green.text()).endsWith("the image is green on the left and yellow on the right.");
            assertThat(encoded(redAgain)).as("red was evicted by green").isTrue();
            assertThat(notEncoded(redThird)).isTrue();
            assertThat(redThird.text()).isEqualTo(red.text());
        }
    }

    @Test
    void aNegativeCacheSizeIsRefusedByName() {
        assertThatThrownBy(() -> builder(DecoderEngine.PROCESS).visionCacheSize(-1).build())
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("visionCacheSize")
                .hasMessageContaining("-1");
    }

    @ParameterizedTest
    @EnumSource(DecoderEngine.class)
    void aTextOnlyConversationAnswersWithoutImageRowsOrVisionEncoder(DecoderEngine engine) {
        try (FastVlm vlm = builder(engine).build();
             Conversation chat = vlm.conversation(ConversationOptions.builder()
                     .systemPrompt("You answer briefly.").build())) {
            Description first = chat.ask("Hello, who are you?");
            Description second = chat.ask("And what can you do?");
            for (Description d : new Description[] {first, second}) {
                assertThat(runs(d, Stage.PREPROCESS)).isZero();
                assertThat(notEncoded(d)).isTrue();
            }
            assertThat(first.text()).startsWith("Stand-in Genie saw ").contains(" 0 image rows and 0 other rows");
            assertThat(second.text()).startsWith("Stand-in Genie recalls 0 image rows")
                    .contains("earlier turns: 1 user and 1 assistant; system prompt: yes");
        }
    }
}

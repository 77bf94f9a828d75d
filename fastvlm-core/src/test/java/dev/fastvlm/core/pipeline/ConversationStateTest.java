package dev.fastvlm.core.pipeline;

import dev.fastvlm.ContextOverflow;
import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.core.text.ChatTurn;
import dev.fastvlm.core.text.PromptOptions;
import dev.fastvlm.core.text.PromptTokenizer;
import dev.fastvlm.core.text.Qwen2Tokenizer;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The context budget of a conversation: the error that names the numbers, and dropping the oldest exchanges. */
class ConversationStateTest {

    private static final int VISION = 256;
    private static final GenerationOptions GENERATION = GenerationOptions.builder().minNewTokens(8).build();

    private static ConversationState conversation(ContextOverflow overflow) {
        ConversationState state = new ConversationState(ConversationOptions.builder()
                .image(ImageInput.of(Path.of("unused.png"))).contextOverflow(overflow).build());
        for (int i = 0; i < 4; i++) {
            state.add(new ChatTurn("Question number " + i + " about the picture?", "Answer number " + i
                    + " is a fairly long sentence about the colours of the picture."));
        }
        return state;
    }

    private static int size(ConversationState state) {
        PromptTokenizer tokenizer = Qwen2Tokenizer.shared();
        return state.fit(tokenizer, PromptOptions.defaults(), "And now?", VISION, 100_000, GENERATION).prompt()
                .prompt().size();
    }

    @Test
    void failNamesHistoryNewTurnContextAndRoomLeft() {
        ConversationState state = conversation(ContextOverflow.FAIL);
        int whole = size(state);
        int context = VISION + whole + GENERATION.minNewTokens() - 1;
        assertThatThrownBy(() -> state.fit(Qwen2Tokenizer.shared(), PromptOptions.defaults(), "And now?", VISION,
                context, GENERATION))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("4 earlier exchanges")
                .hasMessageContaining("= " + (VISION + whole) + " of the " + context + "-token context")
                .hasMessageContaining("room left " + (GENERATION.minNewTokens() - 1) + " new tokens but 8 needed");
        // One token more and it fits, whole.
        ConversationState.Fitted fitted = state.fit(Qwen2Tokenizer.shared(), PromptOptions.defaults(), "And now?",
                VISION, context + 1, GENERATION);
        assertThat(fitted.dropped()).isZero();
        assertThat(fitted.prompt().prompt().size()).isEqualTo(whole);
    }

    @Test
    void dropOldestLeavesOutWholeExchangesUntilItFitsAndKeepsTheImage() {
        ConversationState state = conversation(ContextOverflow.DROP_OLDEST);
        int whole = size(state);
        int context = VISION + whole + GENERATION.minNewTokens() - 1;
        ConversationState.Fitted fitted = state.fit(Qwen2Tokenizer.shared(), PromptOptions.defaults(), "And now?",
                VISION, context, GENERATION);
        assertThat(fitted.dropped()).isOne();
        String text = Qwen2Tokenizer.shared().decode(fitted.prompt().prompt().ids(), false);
        assertThat(text).doesNotContain("Question number 0").doesNotContain("Answer number 0")
                .contains("Question number 1").contains("Answer number 3").endsWith("And now?<|im_end|>\n"
                        + "<|im_start|>assistant\n");
        assertThat(state.size()).isEqualTo(4);
        // When not even the question fits, nothing is left to drop: the error still names the numbers.
        assertThatThrownBy(() -> state.fit(Qwen2Tokenizer.shared(), PromptOptions.defaults(), "And now?", VISION,
                VISION + 10, GENERATION)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("4 oldest dropped").hasMessageContaining("room left 0");
    }

    @Test
    void historyGivenUpFrontIsPromptedLikeAnsweredTurns() {
        ConversationState asked = conversation(ContextOverflow.FAIL);
        List<Conversation.Turn> earlier = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            earlier.add(new Conversation.Turn("Question number " + i + " about the picture?", "Answer number " + i
                    + " is a fairly long sentence about the colours of the picture."));
        }
        ConversationState given = new ConversationState(ConversationOptions.builder()
                .image(ImageInput.of(Path.of("unused.png"))).history(earlier).build());
        assertThat(given.size()).isEqualTo(4);
        assertThat(Qwen2Tokenizer.shared().decode(given.fit(Qwen2Tokenizer.shared(), PromptOptions.defaults(),
                "And now?", VISION, 100_000, GENERATION).prompt().prompt().ids(), false))
                .isEqualTo(Qwen2Tokenizer.shared().decode(asked.fit(Qwen2Tokenizer.shared(), PromptOptions.defaults(),
                        "And now?", VISION, 100_000, GENERATION).prompt().prompt().ids(), false))
                .contains("Answer number 3");
    }
}

package dev.fastvlm.core.text;

import dev.fastvlm.GenerationOptions;
import dev.fastvlm.InvalidInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromptBudgetTest {

    private final GenerationOptions options = GenerationOptions.builder().maxNewTokens(128).minNewTokens(16).build();

    @Test
    void maxNewTokensWhenItFits() {
        assertThat(PromptBudget.maxNewTokens(256, 30, 1024, options)).isEqualTo(128);
    }

    @Test
    void loweredToTheRoomLeft() {
        assertThat(PromptBudget.maxNewTokens(256, 200, 512, options)).isEqualTo(56);
        assertThat(PromptBudget.maxNewTokens(256, 240, 512, options)).isEqualTo(16);
    }

    @Test
    void lessThanMinNewTokensIsAnInputErrorWithTheNumbers() {
        assertThatThrownBy(() -> PromptBudget.maxNewTokens(256, 241, 512, options))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("256 vision tokens")
                .hasMessageContaining("241 text tokens")
                .hasMessageContaining("512-token context")
                .hasMessageContaining("room for 15 new tokens")
                .hasMessageContaining("at least 16");
    }

    @Test
    void overflowingPromptReportsNoRoom() {
        assertThatThrownBy(() -> PromptBudget.maxNewTokens(256, 600, 512, options))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("room for 0 new tokens");
    }

    @Test
    void nonsenseCountsAreRejected() {
        assertThatThrownBy(() -> PromptBudget.maxNewTokens(-1, 0, 512, options)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PromptBudget.maxNewTokens(0, 0, 0, options)).isInstanceOf(IllegalArgumentException.class);
    }
}

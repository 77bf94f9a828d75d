package dev.fastvlm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenerationOptionsTest {

    @Test
    void defaultsFollowTheSeedFlow() {
        GenerationOptions options = GenerationOptions.defaults();
        assertThat(options.temperature()).isEqualTo(0.8);
        assertThat(options.topK()).isEqualTo(40);
        assertThat(options.topP()).isEqualTo(0.95);
        assertThat(options.seed()).isEqualTo(42);
        assertThat(options.greedy()).isFalse();
        assertThat(options.maxNewTokens()).isEqualTo(128);
        assertThat(options.stopSequences()).containsExactly("<|im_end|>");
    }

    @Test
    void negativeMaxTokensNamesTheField() {
        assertThatThrownBy(() -> GenerationOptions.builder().maxNewTokens(-1).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("generation.maxNewTokens: must be > 0, was -1");
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, -0.1, 1.0000001, Double.NaN})
    void topPOutsideUnitIntervalNamesTheField(double topP) {
        assertThatThrownBy(() -> GenerationOptions.builder().topP(topP).build())
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("generation.topP: must be in (0, 1], was " + topP);
    }

    @Test
    void topPOfOneIsAllowed() {
        assertThat(GenerationOptions.builder().topP(1.0).build().topP()).isEqualTo(1.0);
    }

    @Test
    void negativeTemperatureNamesTheField() {
        assertThatThrownBy(() -> GenerationOptions.builder().temperature(-0.5).build())
                .hasMessage("generation.temperature: must be a finite number >= 0, was -0.5");
    }

    @Test
    void topKMustBePositive() {
        assertThatThrownBy(() -> GenerationOptions.builder().topK(0).build())
                .hasMessage("generation.topK: must be > 0, was 0");
    }

    @Test
    void minNewTokensCannotExceedMax() {
        assertThatThrownBy(() -> GenerationOptions.builder().maxNewTokens(8).minNewTokens(9).build())
                .hasMessage("generation.minNewTokens: must be in [1, maxNewTokens=8], was 9");
    }

    @Test
    void stopSequencesRejectEmptyStrings() {
        assertThatThrownBy(() -> GenerationOptions.builder().stopSequences(List.of("")).build())
                .hasMessageStartingWith("generation.stopSequences: must not contain");
        assertThatThrownBy(() -> GenerationOptions.builder().stopSequences(Arrays.asList("a", null)).build())
                .hasMessageStartingWith("generation.stopSequences: must not contain");
    }

    @Test
    void optionsAreImmutable() {
        List<String> stops = new ArrayList<>(List.of("STOP"));
        GenerationOptions options = GenerationOptions.builder().stopSequences(stops).build();
        stops.add("MORE");
        assertThat(options.stopSequences()).containsExactly("STOP");
        assertThatThrownBy(() -> options.stopSequences().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void toBuilderRoundTrips() {
        GenerationOptions options = GenerationOptions.builder().greedy(true).seed(7).maxNewTokens(5).build();
        assertThat(options.toBuilder().build()).isEqualTo(options);
    }
}

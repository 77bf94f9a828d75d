package dev.fastvlm.core.text;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class IncrementalDecoderTest {

    private final PromptTokenizer tokenizer = Qwen2Tokenizer.shared();

    private List<String> stream(int[] ids, boolean skipSpecial) {
        IncrementalDecoder decoder = tokenizer.incrementalDecoder(skipSpecial);
        List<String> pieces = new ArrayList<>();
        for (int id : ids) {
            pieces.add(decoder.push(id));
        }
        pieces.add(decoder.finish());
        return pieces;
    }

    @Test
    void multiByteCharactersSplitAcrossTokensAreEmittedOnceWhole() {
        String text = "Cat: 🐈‍⬛ 𝔘𝔫𝔦 東京 ok";
        int[] ids = tokenizer.encodeText(text);
        // The fixture must really split a character across tokens for this test to mean anything.
        assertThat(Arrays.stream(ids).mapToObj(id -> tokenizer.decode(new int[] {id}, false)))
                .anyMatch(piece -> piece.contains("\uFFFD"));

        List<String> pieces = stream(ids, false);

        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(pieces).noneMatch(piece -> piece.contains("\uFFFD"));
        assertThat(pieces).contains("");
    }

    @Test
    void spacesBetweenWordsSurvivePieceByPiece() {
        String text = "The quick  brown\tfox\n\njumps.";
        List<String> pieces = stream(tokenizer.encodeText(text), false);
        assertThat(String.join("", pieces)).isEqualTo(text);
        assertThat(pieces.stream().filter(p -> !p.isEmpty()).count()).isGreaterThan(5);
    }

    @Test
    void specialTokensAreSkippedWhenAsked() {
        int[] ids = tokenizer.encodeText("Answer.<|im_end|>");
        assertThat(String.join("", stream(ids, true))).isEqualTo("Answer.");
        assertThat(String.join("", stream(ids, false))).isEqualTo("Answer.<|im_end|>");
    }

    @Test
    void anIncompleteCharacterAtTheEndComesOutOnFinish() {
        // A rare character that byte-level BPE spells with several tokens.
        int[] ids = Stream.of("𝔘", "𠮷", "🦩", "ꙮ").map(tokenizer::encodeText)
                .filter(candidate -> candidate.length > 1).findFirst().orElseThrow();
        IncrementalDecoder decoder = tokenizer.incrementalDecoder(false);
        assertThat(decoder.push(ids[0])).isEmpty();
        assertThat(decoder.finish()).isEqualTo("\uFFFD");
    }
}

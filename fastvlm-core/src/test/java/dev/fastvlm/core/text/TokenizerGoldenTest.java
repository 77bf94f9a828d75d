package dev.fastvlm.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.ImageLayout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Token ids against transformers.js (src/test/scripts/tokenizer-goldens/generate.mjs) over
 * prompts in several scripts, both layouts, with and without the chat template, and with the
 * user's text handled the HuggingFace way and literally; each with the native vocabulary and with
 * the plain Java one the pipeline reads from its cache.
 */
class TokenizerGoldenTest {

    private static final List<String> VOCABULARIES = List.of("native", "plain Java");

    private static JsonNode goldens() throws IOException {
        try (InputStream in = TokenizerGoldenTest.class.getResourceAsStream("/text/tokenizer-goldens.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<Arguments> cases() throws IOException {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : goldens().get("cases")) {
            String label = c.get("name").asText() + " " + c.get("layout").asText()
                    + (c.get("chat_template").asBoolean() ? " template" : " plain")
                    + (c.path("literal").asBoolean() ? " literal" : "")
                    + (c.has("system") ? " custom-system" : "");
            for (String vocabulary : VOCABULARIES) {
                cases.add(Arguments.of(label + " [" + vocabulary + "]", c, vocabulary));
            }
        }
        return cases.stream();
    }

    static Stream<Arguments> decodes() throws IOException {
        List<Arguments> decodes = new ArrayList<>();
        for (JsonNode d : goldens().get("decodes")) {
            for (String vocabulary : VOCABULARIES) {
                decodes.add(Arguments.of(d.get("name").asText() + " [" + vocabulary + "]", d, vocabulary));
            }
        }
        return decodes.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void idsMatchTransformersJs(String label, JsonNode golden, String vocabulary) {
        PromptOptions options = PromptOptions.builder()
                .layout(ImageLayout.valueOf(golden.get("layout").asText()))
                .chatTemplate(golden.get("chat_template").asBoolean())
                .literalUserText(golden.path("literal").asBoolean())
                .systemPrompt(golden.has("system") ? golden.get("system").asText() : null)
                .build();

        EncodedPrompt encoded = Qwen2Tokenizer.shared(vocabulary).encode(golden.get("prompt").asText(), options);

        assertThat(encoded.ids()).containsExactly(ints(golden.get("ids")));
        assertThat(encoded.imageIndex()).isEqualTo(golden.has("image_index")
                ? OptionalInt.of(golden.get("image_index").asInt()) : OptionalInt.empty());
    }

    static Stream<Arguments> conversations() throws IOException {
        List<Arguments> conversations = new ArrayList<>();
        for (JsonNode c : goldens().get("conversations")) {
            String label = (c.get("turns").size() + 1) + " questions " + c.get("layout").asText()
                    + (c.has("system") ? " custom-system" : "") + (c.get("literal").asBoolean() ? " literal" : "");
            for (String vocabulary : VOCABULARIES) {
                conversations.add(Arguments.of(label + " [" + vocabulary + "]", c, vocabulary));
            }
        }
        return conversations.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void conversationIdsMatchTransformersJs(String label, JsonNode golden, String vocabulary) {
        PromptOptions options = PromptOptions.builder()
                .layout(ImageLayout.valueOf(golden.get("layout").asText()))
                .literalUserText(golden.get("literal").asBoolean())
                .systemPrompt(golden.has("system") ? golden.get("system").asText() : null)
                .build();
        List<ChatTurn> history = new ArrayList<>();
        for (JsonNode turn : golden.get("turns")) {
            history.add(new ChatTurn(turn.get("user").asText(), turn.get("assistant").asText()));
        }

        ConversationPrompt encoded = Qwen2Tokenizer.shared(vocabulary).encodeConversation(history,
                golden.get("question").asText(), options);

        int[] expected = ints(golden.get("ids"));
        assertThat(encoded.prompt().ids()).containsExactly(expected);
        assertThat(encoded.prompt().imageIndex()).isEqualTo(golden.has("image_index")
                ? OptionalInt.of(golden.get("image_index").asInt()) : OptionalInt.empty());
        if (history.isEmpty()) {
            assertThat(encoded.historyTokens()).isZero();
        } else {
            // The history ends with the last answer: the next token is its <|im_end|>.
            assertThat(expected[encoded.historyTokens()]).isEqualTo(151645);
            int[] before = java.util.Arrays.copyOf(expected, encoded.historyTokens());
            String answer = history.get(history.size() - 1).assistant();
            assertThat(Qwen2Tokenizer.shared(vocabulary).decode(before, false)).endsWith("<|im_start|>assistant\n" + answer);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("decodes")
    void decodeMatchesTransformersJs(String name, JsonNode golden, String vocabulary) {
        int[] ids = ints(golden.get("ids"));
        PromptTokenizer tokenizer = Qwen2Tokenizer.shared(vocabulary);
        assertThat(tokenizer.decode(ids, false)).isEqualTo(golden.get("text").asText());
        assertThat(tokenizer.decode(ids, true)).isEqualTo(golden.get("text_skip_special").asText());
    }

    private static int[] ints(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }
}

package dev.fastvlm.server;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.UnauthorizedException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionContentPart;
import com.openai.models.chat.completions.ChatCompletionContentPartImage;
import com.openai.models.chat.completions.ChatCompletionContentPartText;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.models.Model;
import dev.fastvlm.emulator.EmulatorOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server as OpenAI's official Java client sees it, on an emulated phone: the answers are the
 * emulated decoder's, which names the colours of the image it was given and the question it was
 * asked, and counts the earlier turns of a conversation.
 */
class OpenAiClientTest {

    private static final String KEY = "test-key";
    private static final String MODEL = "fastvlm-0.5b";

    private static EmulatedPool pool;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        pool = new EmulatedPool(List.of(EmulatorOptions.defaults()), builder -> builder.apiKey(KEY));
        client = OpenAIOkHttpClient.builder().baseUrl(pool.server.baseUri().toString()).apiKey(KEY).maxRetries(0)
                .build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    private static List<ChatCompletionContentPart> imageAndText(Color left, Color right, String text) {
        return List.of(
                ChatCompletionContentPart.ofText(ChatCompletionContentPartText.builder().text(text).build()),
                ChatCompletionContentPart.ofImageUrl(ChatCompletionContentPartImage.builder()
                        .imageUrl(ChatCompletionContentPartImage.ImageUrl.builder()
                                .url(TestImages.dataUrl(left, right)).build()).build()));
    }

    /**
     * A JSON object the client kept but does not model: the server's {@code fastvlm} figures. The
     * OpenAI client marks its raw-field accessors deprecated, yet they are how a client reads fields
     * of OpenAI-compatible servers.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> extra(Map<String, ?> fields, String name) {
        Object value = fields.get(name);
        return value instanceof JsonValue json ? json.convert(Map.class) : (Map<String, Object>) value;
    }

    @Test
    @SuppressWarnings("deprecation")
    void aPlainCompletionWithAnImage() {
        ChatCompletion completion = client.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(MODEL)
                .addUserMessageOfArrayOfContentParts(imageAndText(Color.RED, Color.BLUE, "What colours are there?"))
                .build());
        String text = completion.choices().get(0).message().content().orElseThrow();
        assertThat(text).contains("red on the left and blue on the right").contains("What colours are there?");
        assertThat(completion.model()).isEqualTo(MODEL);
        assertThat(completion.usage().orElseThrow().promptTokens()).isGreaterThan(256);
        assertThat(completion.usage().orElseThrow().completionTokens()).isPositive();
        // The device's figures ride along in a field OpenAI's clients keep but do not read.
        Map<String, Object> figures = extra(completion._additionalProperties(), "fastvlm");
        assertThat(figures).containsKeys("device", "time_to_first_token_ms", "tokens_per_second", "stages_ms");
        assertThat(extra(figures, "stages_ms")).containsKeys("vision-encoder", "decoder");
    }

    @Test
    void aStreamingCompletionWithAnImageAndItsUsage() {
        List<String> pieces = new ArrayList<>();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(
                ChatCompletionCreateParams.builder().model(MODEL)
                        .addUserMessageOfArrayOfContentParts(imageAndText(Color.GREEN, Color.YELLOW, "Describe it."))
                        .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                        .build())) {
            stream.stream().forEach(chunk -> {
                chunks.add(chunk);
                chunk.choices().forEach(choice -> choice.delta().content().ifPresent(pieces::add));
            });
        }
        String text = String.join("", pieces);
        assertThat(text).contains("green on the left and yellow on the right").contains("Describe it.");
        assertThat(pieces.size()).as("the answer came in pieces").isGreaterThan(3);
        assertThat(chunks.get(0).choices().get(0).delta().role()).isPresent();
        ChatCompletionChunk last = chunks.get(chunks.size() - 1);
        assertThat(last.choices()).isEmpty();
        assertThat(last.usage().orElseThrow().completionTokens()).isPositive();
        assertThat(last.usage().orElseThrow().promptTokens()).isGreaterThan(256);
        assertThat(chunks.stream().flatMap(c -> c.choices().stream())
                .filter(c -> c.finishReason().isPresent()).count()).isOne();
    }

    @Test
    @SuppressWarnings("deprecation")
    void aMultiTurnRequestPromptsTheEarlierTurnsAndReusesTheImagesRows() {
        List<ChatCompletionContentPart> firstTurn = imageAndText(Color.BLUE, Color.WHITE, "What is on the left?");
        ChatCompletion first = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessageOfArrayOfContentParts(firstTurn).build());
        String firstAnswer = first.choices().get(0).message().content().orElseThrow();
        ChatCompletion second = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessageOfArrayOfContentParts(firstTurn)
                .addAssistantMessage(firstAnswer)
                .addUserMessage("And on the right?")
                .build());
        String text = second.choices().get(0).message().content().orElseThrow();
        assertThat(text).contains("blue on the left and white on the right").contains("And on the right?")
                .contains("Earlier turns: 1 user and 1 assistant");
        assertThat(second.usage().orElseThrow().promptTokens())
                .isGreaterThan(first.usage().orElseThrow().promptTokens());
        Map<String, Object> stages = extra(extra(second._additionalProperties(), "fastvlm"), "stages_ms");
        assertThat(stages).as("the image's rows came from the vision cache").doesNotContainKey("vision-encoder");
    }

    @Test
    void aSystemMessageReachesThePrompt() {
        List<ChatCompletionContentPart> turn = imageAndText(Color.RED, Color.GREEN, "Name the colours.");
        ChatCompletion without = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessageOfArrayOfContentParts(turn).build());
        String system = "You answer in exactly one short sentence about colours, nothing else.";
        ChatCompletion with = client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addSystemMessage(system)
                .addUserMessageOfArrayOfContentParts(turn).build());
        assertThat(with.choices().get(0).message().content().orElseThrow())
                .contains("red on the left and green on the right").contains("Name the colours.");
        // The template's own system prompt ("You are a helpful assistant.") was replaced by the longer one.
        assertThat(with.usage().orElseThrow().promptTokens()).isGreaterThan(without.usage().orElseThrow().promptTokens());
    }

    @Test
    @SuppressWarnings("deprecation")
    void theModelListAndTheClientsErrors() {
        List<Model> models = client.models().list().data();
        assertThat(models).extracting(Model::id).containsExactly(MODEL);
        assertThat(models.get(0)._additionalProperties().get("context_length").convert(Integer.class)).isPositive();

        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessage("No image here.").build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("no image");
        // A question far over the context is refused before any device work, with the numbers.
        assertThatThrownBy(() -> client.chat().completions().create(ChatCompletionCreateParams.builder().model(MODEL)
                .addUserMessageOfArrayOfContentParts(imageAndText(Color.RED, Color.BLUE, "colour ".repeat(5000)))
                .build()))
                .isInstanceOf(BadRequestException.class).hasMessageContaining("does not fit the decoder's context");
        OpenAIClient stranger = OpenAIOkHttpClient.builder().baseUrl(pool.server.baseUri().toString())
                .apiKey("wrong").maxRetries(0).build();
        try {
            assertThatThrownBy(() -> stranger.models().list()).isInstanceOf(UnauthorizedException.class);
        } finally {
            stranger.close();
        }
    }
}

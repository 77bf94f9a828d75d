package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ChatCommandTest extends CliTest {

    private static final String SAMPLE = "samples/red-and-blue.png";

    @Test
    void jsonPrintsOneObjectPerQuestionAndTheVisionEncoderRunsOnlyForTheFirst() throws Exception {
        assertThat(run("chat", "--image", SAMPLE, "--system", "Answer about colours.", "--json",
                "--prompt", "What is in the image?", "--prompt", "What colour is the left half?",
                "--prompt", "And the right half?")).as(err.toString()).isZero();
        List<String> lines = out.toString().lines().toList();
        assertThat(lines).hasSize(3);
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 3; i++) {
            JsonNode turn = mapper.readTree(lines.get(i));
            assertThat(turn.get("turn").asInt()).isEqualTo(i + 1);
            assertThat(turn.get("visionEncoderRuns").asInt()).isEqualTo(i == 0 ? 1 : 0);
            assertThat(turn.get("text").asText()).contains("red on the left and blue on the right")
                    .contains("You asked: \"" + turn.get("question").asText() + "\"");
            assertThat(turn.at("/stats/promptTokens").asInt()).isGreaterThan(256);
            assertThat(turn.get("stages").findValuesAsText("name")).contains("decoder");
        }
        assertThat(mapper.readTree(lines.get(0)).get("text").asText()).doesNotContain("Earlier turns");
        assertThat(mapper.readTree(lines.get(2)).get("text").asText())
                .endsWith("Earlier turns: 2 user and 2 assistant; system prompt: yes.");
        assertThat(mapper.readTree(lines.get(2)).at("/bytes/modelPushed").asLong()).isZero();
    }

    @Test
    void withoutAnImageTheConversationIsTextOnly() {
        assertThat(run("chat", "--prompt", "Hello?", "--prompt", "And now?")).as(err.toString()).isZero();
        String text = out.toString();
        assertThat(text).contains("no image reached me").contains("You asked: \"Hello?\"")
                .contains("You asked: \"And now?\"").contains("Earlier turns: 1 user and 1 assistant");
    }

    @Test
    void textStreamsEachAnswerWithItsFigures() {
        assertThat(run("chat", "--image", SAMPLE, "--prompt", "Colours?", "--prompt", "Sure?")).isZero();
        String text = out.toString();
        assertThat(text).startsWith("Running on the built-in emulated Snapdragon")
                .contains("You asked: \"Colours?\"")
                .contains("You asked: \"Sure?\" Earlier turns: 1 user and 1 assistant; system prompt: yes.");
        assertThat(text.split("stages: ", -1)).hasSize(3);
    }
}

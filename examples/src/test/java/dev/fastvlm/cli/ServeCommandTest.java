package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code fastvlm serve}: the built-in emulated phone answers an OpenAI-style request; usage errors say all at once. */
class ServeCommandTest extends CliTest {

    @Test
    void servesTheEmulatedPhoneOnAFreePortUntilInterrupted() throws Exception {
        AtomicInteger exit = new AtomicInteger(-1);
        Thread runner = new Thread(() -> exit.set(run("serve", "--port", "0")), "test-serve");
        runner.start();
        long deadline = System.currentTimeMillis() + 120_000;
        Matcher url = Pattern.compile("at (http://127\\.0\\.0\\.1:\\d+/v1) on 1 emulated phone").matcher("");
        while (!url.reset(out.toString()).find() && System.currentTimeMillis() < deadline) {
            assertThat(runner.isAlive()).as(err.toString()).isTrue();
            Thread.sleep(50);
        }
        assertThat(out.toString()).contains("Try: curl " + url.group(1) + "/models");

        byte[] png = Files.readAllBytes(Path.of("samples/red-and-blue.png"));
        String body = "{\"model\": \"fastvlm-0.5b\", \"messages\": [{\"role\": \"user\", \"content\": ["
                + "{\"type\": \"text\", \"text\": \"What is this?\"}, {\"type\": \"image_url\", \"image_url\":"
                + " {\"url\": \"data:image/png;base64," + Base64.getEncoder().encodeToString(png)
                + "\"}}]}]}";
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(url.group(1) + "/chat/completions")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode answer = new ObjectMapper().readTree(response.body());
        assertThat(answer.path("choices").get(0).path("message").path("content").asText())
                .contains("red on the left and blue on the right").contains("What is this?");

        runner.interrupt();
        runner.join(60_000);
        assertThat(runner.isAlive()).isFalse();
    }

    @Test
    void phonesNeedTheBundleAndTheSdkNamedTogether() {
        assertThat(run("serve", "--device", "R3CX0001")).isEqualTo(2);
        assertThat(err.toString()).contains("--model-dir DIR (the FastVLM model bundle) and --sdk DIR (the QAIRT SDK)")
                .contains("fastvlm serve --help");
    }

    @Test
    void anotherAddressNeedsAnApiKey() {
        assertThat(run("serve", "--host", "0.0.0.0", "--port", "0", "--emulators", "1")).isEqualTo(2);
        assertThat(err.toString()).contains("needs an API key");
    }
}

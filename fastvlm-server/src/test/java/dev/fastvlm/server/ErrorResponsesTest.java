package dev.fastvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.DeviceToolException;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.InvalidInputException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every error the server answers, over raw HTTP, in OpenAI's shape ({@code {"error": {"message",
 * "type", "param", "code"}}}) with its status. The devices are scripted instances, so each failure
 * (a device program's exit, a hang, a full pool) happens exactly when the test wants it.
 */
class ErrorResponsesTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IMAGE = TestImages.dataUrl(Color.RED, Color.BLUE);

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<FastVlmServer> servers = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void closeServers() {
        servers.forEach(FastVlmServer::close);
    }

    private FastVlmServer start(FastVlmServer.Builder builder) {
        FastVlmServer server = builder.port(0).build();
        servers.add(server);
        return server.start();
    }

    private static FastVlmServer.Builder echoing() {
        return FastVlmServer.builder().device("echo", () -> new ScriptedFastVlm((options, question, generation, listener)
                -> ScriptedFastVlm.answer("You asked " + question, listener)));
    }

    private static ObjectNode chat(String imageUrl, String question) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", question);
        if (imageUrl != null) {
            content.addObject().put("type", "image_url").putObject("image_url").put("url", imageUrl);
        }
        return body;
    }

    private HttpResponse<String> post(FastVlmServer server, String path, String body, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(FastVlmServer server, JsonNode body) throws Exception {
        return post(server, "/v1/chat/completions", body.toString(), null);
    }

    private HttpResponse<String> get(FastVlmServer server, String path, String key) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The error object of an answer with {@code status}. */
    private static JsonNode error(HttpResponse<String> response, int status) throws IOException {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode error = JSON.readTree(response.body()).path("error");
        assertThat(error.path("message").asText()).isNotBlank();
        assertThat(error.has("type") && error.has("param") && error.has("code")).as(response.body()).isTrue();
        return error;
    }

    @Test
    void badRequestsAreRefusedNamingTheField() throws Exception {
        FastVlmServer server = start(echoing().maxImageBytes(4096).imageFolder(dir));

        JsonNode noImage = error(post(server, chat(null, "What is this?")), 400);
        assertThat(noImage.path("param").asText()).isEqualTo("messages");
        assertThat(noImage.path("message").asText()).contains("no image");
        assertThat(noImage.path("type").asText()).isEqualTo("invalid_request_error");

        JsonNode badBase64 = error(post(server, chat("data:image/png;base64,@@not-base64@@", "Hi")), 400);
        assertThat(badBase64.path("param").asText()).isEqualTo("messages[0].content[1].image_url.url");
        assertThat(badBase64.path("message").asText()).contains("bad base64");

        String large = "data:image/png;base64," + Base64.getEncoder().encodeToString(new byte[8192]);
        JsonNode tooLarge = error(post(server, chat(large, "Hi")), 400);
        assertThat(tooLarge.path("code").asText()).isEqualTo("image_too_large");
        assertThat(tooLarge.path("message").asText()).contains("limit of 4096");

        JsonNode remote = error(post(server, chat("https://example.com/cat.png", "Hi")), 400);
        assertThat(remote.path("message").asText()).contains("fetches nothing from the network");

        ObjectNode twoAnswers = chat(IMAGE, "Hi").put("n", 2);
        assertThat(error(post(server, twoAnswers), 400).path("param").asText()).isEqualTo("n");

        ObjectNode badTemperature = chat(IMAGE, "Hi").put("temperature", -1);
        JsonNode temperature = error(post(server, badTemperature), 400);
        assertThat(temperature.path("param").asText()).isEqualTo("temperature");

        ObjectNode badRole = chat(IMAGE, "Hi");
        ((ObjectNode) badRole.path("messages").get(0)).put("role", "tool");
        assertThat(error(post(server, badRole), 400).path("param").asText()).isEqualTo("messages[0].role");

        ObjectNode endsWithAssistant = chat(IMAGE, "Hi");
        ((ArrayNode) endsWithAssistant.path("messages")).addObject().put("role", "assistant").put("content", "Hello");
        assertThat(error(post(server, endsWithAssistant), 400).path("message").asText())
                .contains("the last message must be the user's");

        assertThat(error(post(server, "/v1/chat/completions", "{\"messages\": [", null), 400).path("message").asText())
                .contains("not valid JSON");
    }

    @Test
    void aPromptOverTheBudgetIsABadRequest() throws Exception {
        FastVlmServer server = start(FastVlmServer.builder().device("small", () -> new ScriptedFastVlm(
                (options, question, generation, listener) -> {
                    throw new InvalidInputException("the conversation does not fit the decoder's context: history 256"
                            + " tokens + new turn 9000 tokens = 9256 of the 1024-token context");
                })));
        JsonNode error = error(post(server, chat(IMAGE, "colour ".repeat(9000))), 400);
        assertThat(error.path("message").asText()).contains("does not fit the decoder's context");
        assertThat(error.path("code").asText()).isEqualTo("invalid_input");
    }

    @Test
    void imagesFromTheAllowedFolderOnlyLinksIncluded() throws Exception {
        Path allowed = Files.createDirectories(dir.resolve("allowed"));
        Files.write(allowed.resolve("inside.png"), TestImages.png(Color.RED, Color.BLUE));
        Path secret = Files.write(dir.resolve("secret.png"), TestImages.png(Color.RED, Color.BLUE));
        Files.createSymbolicLink(allowed.resolve("link.png"), secret);
        FastVlmServer server = start(echoing().imageFolder(allowed));

        assertThat(post(server, chat(allowed.resolve("inside.png").toString(), "Hi")).statusCode()).isEqualTo(200);
        assertThat(post(server, chat("file://" + allowed.resolve("inside.png"), "Hi")).statusCode()).isEqualTo(200);
        assertThat(post(server, chat("inside.png", "Hi")).statusCode()).isEqualTo(200);
        for (String outside : List.of(secret.toString(), allowed + "/../secret.png", "link.png", "/etc/passwd",
                "missing.png")) {
            JsonNode refused = error(post(server, chat(outside, "Hi")), 400);
            assertThat(refused.path("message").asText()).as(outside)
                    .endsWith(" is not a readable file inside the allowed folder");
        }

        FastVlmServer noFolder = start(echoing());
        assertThat(error(post(noFolder, chat(allowed.resolve("inside.png").toString(), "Hi")), 400)
                .path("message").asText()).contains("only data: URLs");
    }

    @Test
    void anApiKeyGuardsEveryEndpointButHealth() throws Exception {
        FastVlmServer server = start(echoing().apiKey("s3cret"));
        String body = chat(IMAGE, "Hi").toString();
        JsonNode missing = error(post(server, "/v1/chat/completions", body, null), 401);
        assertThat(missing.path("code").asText()).isEqualTo("invalid_api_key");
        error(post(server, "/v1/chat/completions", body, "wrong"), 401);
        error(get(server, "/v1/models", null), 401);
        error(get(server, "/metrics", "wrong"), 401);
        assertThat(post(server, "/v1/chat/completions", body, "s3cret").statusCode()).isEqualTo(200);
        assertThat(get(server, "/v1/models", "s3cret").statusCode()).isEqualTo(200);
        assertThat(get(server, "/health", null).statusCode()).isEqualTo(200);

        assertThatThrownBy(() -> echoing().host("0.0.0.0").build()).isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("needs an API key");
    }

    @Test
    void aFullQueueIsRefusedAtOnceWith503() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch busy = new CountDownLatch(1);
        FastVlmServer server = start(FastVlmServer.builder().queueLength(0).device("slow", () -> new ScriptedFastVlm(
                (options, question, generation, listener) -> {
                    busy.countDown();
                    release.await();
                    return ScriptedFastVlm.answer("Done.", listener);
                })));
        CompletableFuture<HttpResponse<String>> first = http.sendAsync(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(chat(IMAGE, "Hi").toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        HttpResponse<String> refused = post(server, chat(IMAGE, "Me too?"));
        assertThat(error(refused, 503).path("code").asText()).isEqualTo("queue_full");
        assertThat(refused.headers().firstValue("Retry-After")).isPresent();
        release.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        assertThat(get(server, "/metrics", null).body()).contains("fastvlm_requests_total{outcome=\"queue_full\"} 1.0")
                .contains("fastvlm_requests_total{outcome=\"ok\"} 1.0");
    }

    @Test
    void aRequestOverItsTimeoutGets504AndItsDeviceWorkIsInterrupted() throws Exception {
        CountDownLatch interrupted = new CountDownLatch(1);
        FastVlmServer server = start(FastVlmServer.builder().requestTimeout(Duration.ofMillis(500))
                .device("hanging", () -> new ScriptedFastVlm((options, question, generation, listener) -> {
                    try {
                        Thread.sleep(60_000);
                    } catch (InterruptedException e) {
                        interrupted.countDown();
                        throw e;
                    }
                    return ScriptedFastVlm.answer("Too late.", listener);
                })));
        JsonNode timeout = error(post(server, chat(IMAGE, "Hi")), 504);
        assertThat(timeout.path("code").asText()).isEqualTo("request_timeout");
        assertThat(interrupted.await(10, TimeUnit.SECONDS)).as("the device's work was stopped").isTrue();
        // The device goes back as its stopped work ends, free for the next request.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String state;
        while (!(state = JSON.readTree(get(server, "/health", null).body()).path("devices").get(0).path("state")
                .asText()).equals("ready") && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        assertThat(state).isEqualTo("ready");
    }

    @Test
    void aFailingDeviceGets502AloneAndIsRetriedUntilItAnswers() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        FastVlmServer server = start(FastVlmServer.builder().retryInterval(Duration.ofMillis(200))
                .device("flaky", () -> new ScriptedFastVlm((options, question, generation, listener) -> {
                    if (calls.incrementAndGet() == 1) {
                        throw new DeviceToolException("genie-t2t-run", 1, "Failed to create the dialog");
                    }
                    return ScriptedFastVlm.answer("Back.", listener);
                })));
        JsonNode failed = error(post(server, chat(IMAGE, "Hi")), 502);
        assertThat(failed.path("code").asText()).isEqualTo("device_failed");
        assertThat(failed.path("message").asText()).contains("genie-t2t-run");
        JsonNode health = JSON.readTree(get(server, "/health", null).body());
        // Taken out at once; the probe (the second call) brings it back.
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!health.path("devices").get(0).path("state").asText().equals("ready") && System.nanoTime() < until) {
            Thread.sleep(50);
            health = JSON.readTree(get(server, "/health", null).body());
        }
        assertThat(health.path("devices").get(0).path("state").asText()).isEqualTo("ready");
        assertThat(health.path("devices").get(0).path("last_error").asText()).contains("Failed to create the dialog");
        assertThat(post(server, chat(IMAGE, "Hi")).statusCode()).isEqualTo(200);
    }

    @Test
    void aDeviceFailureBeforeTheFirstTokenMovesTheRequestToAnotherDevice() throws Exception {
        FastVlmServer server = start(FastVlmServer.builder().retryInterval(Duration.ofMinutes(1))
                .device("broken", () -> new ScriptedFastVlm((options, question, generation, listener) -> {
                    throw new DeviceToolException("qnn-net-run", 1, "HTP unavailable");
                }))
                .device("good", () -> new ScriptedFastVlm((options, question, generation, listener)
                        -> ScriptedFastVlm.answer("From the good one.", listener))));
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> answer = post(server, chat(IMAGE, "Hi"));
            assertThat(answer.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(answer.body()).path("fastvlm").path("device").asText()).isEqualTo("good");
        }
        HttpResponse<String> health = get(server, "/health", null);
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(health.body()).path("status").asText()).isEqualTo("degraded");
    }

    @Test
    void aStreamThatFailsBeforeItsFirstTokenStillGetsItsStatus() throws Exception {
        FastVlmServer server = start(FastVlmServer.builder().device("broken", () -> new ScriptedFastVlm(
                (options, question, generation, listener) -> {
                    throw new DeviceToolException("genie-t2t-run", 134, "aborted");
                })));
        HttpResponse<String> response = post(server, chat(IMAGE, "Hi").put("stream", true));
        assertThat(error(response, 502).path("code").asText()).isEqualTo("device_failed");
        // Now no device can serve: 503 at once, naming the last error.
        JsonNode none = error(post(server, chat(IMAGE, "Hi")), 503);
        assertThat(none.path("message").asText()).contains("no device is serving").contains("aborted");
        assertThat(get(server, "/health", null).statusCode()).isEqualTo(503);
    }

    @Test
    void aPipelinedSecondRequestIsAnsweredAfterTheFirst() throws Exception {
        // The server reads the socket while a request waits for its device (to see a client leave):
        // a second request already sent on the same connection must reach the parser intact.
        CountDownLatch firstRunning = new CountDownLatch(1);
        FastVlmServer server = start(FastVlmServer.builder().device("slow", () -> new ScriptedFastVlm(
                (options, question, generation, listener) -> {
                    firstRunning.countDown();
                    Thread.sleep(300);
                    return ScriptedFastVlm.answer("You asked " + question, listener);
                })));
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            RawHttp.postChat(socket.getOutputStream(), chat(IMAGE, "first?"));
            assertThat(firstRunning.await(10, TimeUnit.SECONDS)).isTrue();
            RawHttp.postChat(socket.getOutputStream(), chat(IMAGE, "second?"));
            socket.setSoTimeout(10_000);
            StringBuilder received = new StringBuilder();
            byte[] buffer = new byte[8192];
            while (!received.toString().contains("You asked second?")) {
                int n = socket.getInputStream().read(buffer);
                if (n < 0) {
                    break;
                }
                received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            }
            String answers = received.toString();
            assertThat(answers).contains("You asked first?").contains("You asked second?");
            assertThat(answers.indexOf("You asked first?")).isLessThan(answers.indexOf("You asked second?"));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the pipelined second request was not answered", e);
        }
    }

    @Test
    void oversizedBodiesUnknownPathsAndWrongMethods() throws Exception {
        FastVlmServer server = start(echoing().maxBodyBytes(1000));
        assertThat(error(post(server, chat(IMAGE, "Hi ".repeat(1000))), 413).path("code").asText()).isEqualTo("request_too_large");
        assertThat(error(get(server, "/v1/embeddings", null), 404).path("code").asText()).isEqualTo("not_found");
        assertThat(error(get(server, "/v1/chat/completions", null), 405).path("code").asText())
                .isEqualTo("method_not_allowed");
    }
}

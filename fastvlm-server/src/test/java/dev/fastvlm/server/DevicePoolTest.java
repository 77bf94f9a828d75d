package dev.fastvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorFaults;
import dev.fastvlm.emulator.EmulatorOptions;
import org.junit.jupiter.api.Test;

import java.awt.Color;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The pool on emulated phones: many requests at once, a failing phone, and clients that go away. */
class DevicePoolTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A phone that takes Snapdragon 8 Elite-like times (model loads, inference, tokens). */
    private static final EmulatorOptions REALISTIC = EmulatorOptions.builder().timing(EmulatedTiming.REALISTIC).build();
    /** Colours the emulated decoder names exactly. */
    private static final Map<String, Color> COLOURS = Map.of("black", Color.BLACK, "white", Color.WHITE,
            "red", Color.RED, "green", Color.GREEN, "blue", Color.BLUE, "yellow", Color.YELLOW, "cyan", Color.CYAN,
            "magenta", Color.MAGENTA);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private static ObjectNode chat(String imageUrl, String question) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode content = body.putArray("messages").addObject().put("role", "user").putArray("content");
        content.addObject().put("type", "text").put("text", question);
        content.addObject().put("type", "image_url").putObject("image_url").put("url", imageUrl);
        return body;
    }

    private CompletableFuture<HttpResponse<String>> send(FastVlmServer server, JsonNode body) {
        return http.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                        + "/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode health(FastVlmServer server) throws Exception {
        return JSON.readTree(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                + "/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** 24 distinct colour pairs, each with its own question number. */
    private static List<String[]> pairs() {
        List<String> names = new ArrayList<>(new java.util.TreeSet<>(COLOURS.keySet()));
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < names.size() && pairs.size() < 24; i++) {
            for (int j = 0; j < names.size() && pairs.size() < 24; j++) {
                if (i != j) {
                    pairs.add(new String[] {names.get(i), names.get(j)});
                }
            }
        }
        return pairs;
    }

    @Test
    void twentyFourConcurrentRequestsAreAnsweredRightOverAllThreeDevices() throws Exception {
        try (EmulatedPool pool = new EmulatedPool(List.of(EmulatorOptions.defaults(), EmulatorOptions.defaults(),
                EmulatorOptions.defaults()), builder -> builder.queueLength(24))) {
            List<String[]> pairs = pairs();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < pairs.size(); i++) {
                String[] pair = pairs.get(i);
                answers.add(send(pool.server, chat(TestImages.dataUrl(COLOURS.get(pair[0]), COLOURS.get(pair[1])),
                        "Question " + i + ": which colours?")));
            }
            Map<String, Integer> byDevice = new HashMap<>();
            for (int i = 0; i < pairs.size(); i++) {
                HttpResponse<String> response = answers.get(i).get(5, TimeUnit.MINUTES);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                JsonNode answer = JSON.readTree(response.body());
                String text = answer.path("choices").get(0).path("message").path("content").asText();
                assertThat(text).as("request " + i).contains(pairs.get(i)[0] + " on the left and " + pairs.get(i)[1]
                        + " on the right").contains("Question " + i + ": which colours?");
                byDevice.merge(answer.path("fastvlm").path("device").asText(), 1, Integer::sum);
            }
            assertThat(byDevice.keySet()).as("answers per device: " + byDevice)
                    .containsExactlyInAnyOrderElementsOf(pool.devices.stream().map(d -> d.serial()).toList());
            assertThat(byDevice.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(24);
        }
    }

    @Test
    void aFailingDeviceIsTakenOutAndTheOthersKeepServing() throws Exception {
        EmulatorOptions failing = EmulatorOptions.builder().faults(new EmulatorFaults(0, 0, 0,
                Map.of("genie-t2t-run", 1), Set.of())).build();
        try (EmulatedPool pool = new EmulatedPool(List.of(EmulatorOptions.defaults(), failing,
                EmulatorOptions.defaults()), builder -> builder.queueLength(12).retryInterval(Duration.ofMillis(300)))) {
            String broken = pool.devices.get(1).serial();
            List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                answers.add(send(pool.server, chat(TestImages.dataUrl(Color.RED, Color.BLUE), "Question " + i + "?")));
            }
            Set<String> devices = new HashSet<>();
            for (CompletableFuture<HttpResponse<String>> answer : answers) {
                HttpResponse<String> response = answer.get(5, TimeUnit.MINUTES);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                devices.add(JSON.readTree(response.body()).path("fastvlm").path("device").asText());
            }
            assertThat(devices).doesNotContain(broken).hasSize(2);
            JsonNode health = health(pool.server);
            assertThat(health.path("status").asText()).isEqualTo("degraded");
            JsonNode brokenStatus = health.path("devices").get(1);
            assertThat(brokenStatus.path("name").asText()).isEqualTo(broken);
            assertThat(brokenStatus.path("failed").asBoolean()).as(health.toString()).isTrue();
            assertThat(brokenStatus.path("last_error").asText()).contains("genie-t2t-run");
            // Its background probes keep failing (the fault stays): it stays out, the others answer.
            Thread.sleep(1500);
            assertThat(health(pool.server).path("devices").get(1).path("state").asText()).isIn("failed", "opening");
            assertThat(send(pool.server, chat(TestImages.dataUrl(Color.GREEN, Color.WHITE), "Still there?"))
                    .get(1, TimeUnit.MINUTES).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatDisconnectsStopsItsDeviceProgram() throws Exception {
        try (EmulatedPool pool = new EmulatedPool(List.of(REALISTIC), builder -> builder)) {
            DeviceEmulator emulator = pool.devices.get(0).emulator();
            ObjectNode body = longAnswerRequest().put("stream", true);
            long gone;
            try (Socket socket = new Socket("127.0.0.1", pool.server.port())) {
                RawHttp.postChat(socket.getOutputStream(), body);
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                int contentChunks = 0;
                for (String line; contentChunks < 3 && (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:") && line.contains("\"content\":\"") && !line.contains("\"role\"")) {
                        contentChunks++;
                    }
                }
                assertThat(contentChunks).as("the answer had started streaming").isEqualTo(3);
                assertThat(requestDirectories(emulator)).as("the request runs on the device").isNotEmpty();
                gone = System.nanoTime();
            }
            awaitStoppedAndReady(pool.server, emulator, gone + TimeUnit.SECONDS.toNanos(20));
            long stoppedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - gone);
            assertThat(requestDirectories(emulator)).as("the device program was stopped and its files removed")
                    .isEmpty();
            assertThat(health(pool.server).path("devices").get(0).path("state").asText()).isEqualTo("ready");
            assertThat(stoppedAfter).as("stopped, not run to its end (about 5 s more)").isLessThan(2500);
            assertThat(metrics(pool.server)).contains("fastvlm_requests_total{outcome=\"client_disconnected\"} 1.0");
        }
    }

    @Test
    void aPlainRequestWhoseClientDisconnectsIsStoppedToo() throws Exception {
        try (EmulatedPool pool = new EmulatedPool(List.of(REALISTIC), builder -> builder)) {
            DeviceEmulator emulator = pool.devices.get(0).emulator();
            ObjectNode body = longAnswerRequest();
            long gone;
            try (Socket socket = new Socket("127.0.0.1", pool.server.port())) {
                RawHttp.postChat(socket.getOutputStream(), body);
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!health(pool.server).path("devices").get(0).path("state").asText().equals("busy")
                        || requestDirectories(emulator).isEmpty()) {
                    assertThat(System.nanoTime()).as("the request reached the device").isLessThan(until);
                    Thread.sleep(20);
                }
                gone = System.nanoTime();
            }
            awaitStoppedAndReady(pool.server, emulator, gone + TimeUnit.SECONDS.toNanos(30));
            assertThat(requestDirectories(emulator)).as("the device program was stopped and its files removed")
                    .isEmpty();
            assertThat(metrics(pool.server)).contains("fastvlm_requests_total{outcome=\"client_disconnected\"} 1.0")
                    .doesNotContain("outcome=\"ok\"");
        }
    }

    /**
     * A request whose answer takes seconds on a {@link #REALISTIC} phone: the emulated answer repeats the
     * question, about 200 tokens at the emulator's 38.5 tokens/s, 5 s of decoding after the first token.
     */
    private static ObjectNode longAnswerRequest() {
        String question = "Tell me everything about the colours, " + "then again, ".repeat(60) + "please.";
        return chat(TestImages.dataUrl(Color.RED, Color.BLUE), question).put("max_tokens", 400);
    }

    /** Waits until the device has no request folder left and is ready again, or {@code deadlineNanos}. */
    private void awaitStoppedAndReady(FastVlmServer server, DeviceEmulator emulator, long deadlineNanos)
            throws Exception {
        while ((!requestDirectories(emulator).isEmpty()
                || !health(server).path("devices").get(0).path("state").asText().equals("ready"))
                && System.nanoTime() < deadlineNanos) {
            Thread.sleep(20);
        }
    }

    private String metrics(FastVlmServer server) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static List<Path> requestDirectories(DeviceEmulator emulator) throws IOException {
        Path requests = emulator.hostPath(QairtRuntime.DEFAULT_DEVICE_DIRECTORY + "/requests");
        if (!Files.isDirectory(requests)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(requests)) {
            return entries.toList();
        }
    }
}

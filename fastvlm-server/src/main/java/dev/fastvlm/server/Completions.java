package dev.fastvlm.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.Description;
import dev.fastvlm.StageTiming;
import dev.fastvlm.Stats;

import java.time.Duration;
import java.util.UUID;

/**
 * The JSON of answers in OpenAI's chat completions format: a whole completion, a stream's chunks
 * and its usage chunk, and the error object. Each answer also carries the device's figures in a
 * {@code fastvlm} field, which OpenAI's clients ignore.
 */
final class Completions {

    private final ObjectMapper json;
    private final String model;
    private final String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    private final long created = System.currentTimeMillis() / 1000;

    /**
     * @param json  the server's mapper
     * @param model the model id answers name
     */
    Completions(ObjectMapper json, String model) {
        this.json = json;
        this.model = model;
    }

    /** A whole answer ({@code chat.completion}). */
    ObjectNode completion(Description answer, int maxNewTokens, String device, Duration queued, Duration library) {
        ObjectNode root = head("chat.completion");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", answer.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(answer, maxNewTokens));
        usage(root, answer.stats());
        figures(root, answer.stats(), device, queued, library);
        return root;
    }

    /** The first chunk of a stream: the assistant's role, no text yet. */
    ObjectNode roleChunk() {
        ObjectNode root = head("chat.completion.chunk");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("role", "assistant").put("content", "");
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** A chunk with one piece of the answer. */
    ObjectNode contentChunk(String piece) {
        ObjectNode root = head("chat.completion.chunk");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta").put("content", piece);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** The chunk that ends the answer with its finish reason (and the device's figures). */
    ObjectNode finishChunk(Description answer, int maxNewTokens, String device, Duration queued, Duration library) {
        ObjectNode root = head("chat.completion.chunk");
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason(answer, maxNewTokens));
        figures(root, answer.stats(), device, queued, library);
        return root;
    }

    /** The last chunk when the client asked for usage: no choices, the token counts. */
    ObjectNode usageChunk(Description answer) {
        ObjectNode root = head("chat.completion.chunk");
        root.putArray("choices");
        usage(root, answer.stats());
        return root;
    }

    /** OpenAI's error body. */
    static ObjectNode error(ObjectMapper json, ApiException error) {
        ObjectNode root = json.createObjectNode();
        ObjectNode body = root.putObject("error");
        body.put("message", error.getMessage());
        body.put("type", error.type());
        if (error.param() == null) {
            body.putNull("param");
        } else {
            body.put("param", error.param());
        }
        body.put("code", error.code());
        return root;
    }

    private ObjectNode head(String object) {
        ObjectNode root = json.createObjectNode();
        root.put("id", id);
        root.put("object", object);
        root.put("created", created);
        root.put("model", model);
        return root;
    }

    private static String finishReason(Description answer, int maxNewTokens) {
        return answer.stats().generatedTokens() >= maxNewTokens ? "length" : "stop";
    }

    private static void usage(ObjectNode root, Stats stats) {
        root.putObject("usage").put("prompt_tokens", stats.promptTokens())
                .put("completion_tokens", stats.generatedTokens())
                .put("total_tokens", stats.promptTokens() + stats.generatedTokens());
    }

    /**
     * The {@code fastvlm} field: the device, the wait for it, the library's own time for the answer
     * (what a direct call would have taken: the server's overhead is the rest of the client's wall
     * time) and the device's figures.
     */
    private static void figures(ObjectNode root, Stats stats, String device, Duration queued, Duration library) {
        ObjectNode figures = root.putObject("fastvlm");
        figures.put("device", device);
        figures.put("queue_ms", queued.toNanos() / 1e6);
        figures.put("library_ms", library.toNanos() / 1e6);
        figures.put("time_to_first_token_ms", stats.timeToFirstToken().toNanos() / 1e6);
        figures.put("tokens_per_second", stats.tokensPerSecond());
        figures.put("model_bytes_pushed", stats.modelBytesPushed());
        figures.put("request_bytes_pushed", stats.requestBytesPushed());
        ObjectNode stages = figures.putObject("stages_ms");
        for (StageTiming stage : stats.stages()) {
            stages.put(stage.stage().id(), stage.elapsed().toNanos() / 1e6);
        }
    }
}

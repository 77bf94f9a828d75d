package dev.fastvlm.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fastvlm.Conversation;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidConfigurationException;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One chat completions request, checked and in the library's terms: the image, the system prompt,
 * the earlier exchanges, the question to answer now and how to generate.
 *
 * @param image        the one image of the conversation
 * @param system       the system messages, joined; empty for the instance's system prompt
 * @param history      earlier user/assistant exchanges, oldest first
 * @param question     the last user message's text
 * @param generation   the request's sampling and length, over the server's defaults
 * @param stream       whether the answer goes out as server-sent events
 * @param includeUsage whether a stream ends with a usage chunk
 */
record ChatRequest(ImageInput image, Optional<String> system, List<Conversation.Turn> history, String question,
                   GenerationOptions generation, boolean stream, boolean includeUsage) {

    /** The question when the last user message is only an image. */
    static final String DEFAULT_QUESTION = "Describe the image.";
    /** OpenAI's limit on stop sequences. */
    private static final int MAX_STOP_SEQUENCES = 4;
    /** The library's generation fields, as the request fields that set them. */
    private static final Map<String, String> PARAMS = Map.of("generation.maxNewTokens", "max_tokens",
            "generation.temperature", "temperature", "generation.topP", "top_p", "generation.stopSequences", "stop");

    /**
     * Reads a request body.
     *
     * @param body     the parsed JSON body
     * @param defaults the server's generation defaults
     * @param images   turns {@code image_url} values into images
     * @return the request
     * @throws ApiException 400, naming the field at fault
     */
    static ChatRequest parse(JsonNode body, GenerationOptions defaults, ImageUrls images) {
        if (!body.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        JsonNode n = body.path("n");
        if (!n.isMissingNode() && !n.isNull() && !(n.canConvertToInt() && n.asInt() == 1)) {
            throw ApiException.invalid("n", "only n = 1 is supported, was " + n);
        }
        JsonNode messages = body.path("messages");
        if (!messages.isArray() || messages.isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array");
        }
        List<String> systems = new ArrayList<>();
        List<Conversation.Turn> history = new ArrayList<>();
        String pendingQuestion = null;
        ImageInput image = null;
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String where = "messages[" + i + "]";
            String role = message.path("role").asText("");
            JsonNode content = message.path("content");
            switch (role) {
                case "system", "developer" -> systems.add(text(content, where, null));
                case "assistant" -> {
                    if (pendingQuestion == null) {
                        throw ApiException.invalid(where, where + ": an assistant message must follow a user message");
                    }
                    history.add(new Conversation.Turn(pendingQuestion, text(content, where, null)));
                    pendingQuestion = null;
                }
                case "user" -> {
                    List<ImageInput> found = new ArrayList<>();
                    String text = text(content, where, (part, path) -> found.add(images.read(part, path)));
                    if (!found.isEmpty()) {
                        if (image != null || found.size() > 1) {
                            throw ApiException.invalid(where, where + ": one image per conversation is supported,"
                                    + " this request has more");
                        }
                        image = found.get(0);
                    }
                    pendingQuestion = pendingQuestion == null ? text : pendingQuestion + "\n" + text;
                }
                default -> throw ApiException.invalid(where + ".role", where + ".role must be system, developer,"
                        + " user or assistant, was " + (role.isEmpty() ? "missing" : "'" + role + "'"));
            }
        }
        if (pendingQuestion == null) {
            throw ApiException.invalid("messages", "the last message must be the user's");
        }
        if (image == null) {
            throw ApiException.invalid("messages", "no image: a user message needs an image_url part"
                    + " (a data: URL such as data:image/png;base64,...)");
        }
        String question = pendingQuestion.isBlank() ? DEFAULT_QUESTION : pendingQuestion;
        Optional<String> system = systems.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", systems));
        boolean stream = bool(body, "stream");
        boolean includeUsage = stream && bool(body.path("stream_options"), "include_usage");
        return new ChatRequest(image, system, List.copyOf(history), question, generation(body, defaults), stream,
                includeUsage);
    }

    /** What an {@code image_url} part is read with. */
    @FunctionalInterface
    private interface ImagePart {
        void accept(JsonNode part, String path);
    }

    /** A message's text: a string, or the text parts of an array (image parts go to {@code images}, or are refused). */
    private static String text(JsonNode content, String where, ImagePart images) {
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isNull() || content.isMissingNode()) {
            return "";
        }
        if (!content.isArray()) {
            throw ApiException.invalid(where + ".content", where + ".content must be a string or an array of parts");
        }
        List<String> texts = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            JsonNode part = content.get(j);
            String path = where + ".content[" + j + "]";
            String type = part.path("type").asText("");
            if (type.equals("text")) {
                if (!part.path("text").isTextual()) {
                    throw ApiException.invalid(path + ".text", path + ".text must be a string");
                }
                texts.add(part.path("text").asText());
            } else if (type.equals("image_url") && images != null) {
                images.accept(part.path("image_url"), path + ".image_url");
            } else {
                throw ApiException.invalid(path + ".type", path + ".type must be text"
                        + (images != null ? " or image_url" : " in this message") + ", was '" + type + "'");
            }
        }
        return String.join("\n", texts);
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw ApiException.invalid(field, field + " must be true or false, was " + value);
        }
        return value.asBoolean();
    }

    private static GenerationOptions generation(JsonNode body, GenerationOptions defaults) {
        GenerationOptions.Builder builder = defaults.toBuilder();
        String lengthField = body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode length = body.path(lengthField);
        if (!length.isMissingNode() && !length.isNull()) {
            int max = integer(length, lengthField);
            builder.maxNewTokens(max).minNewTokens(Math.max(1, Math.min(defaults.minNewTokens(), max)));
        }
        number(body, "temperature").ifPresent(builder::temperature);
        number(body, "top_p").ifPresent(builder::topP);
        JsonNode seed = body.path("seed");
        if (!seed.isMissingNode() && !seed.isNull()) {
            if (!seed.canConvertToLong() || !seed.isIntegralNumber()) {
                throw ApiException.invalid("seed", "seed must be an integer, was " + seed);
            }
            builder.seed(seed.asLong());
        }
        JsonNode stop = body.path("stop");
        if (!stop.isMissingNode() && !stop.isNull()) {
            List<String> stops = new ArrayList<>(defaults.stopSequences());
            if (stop.isTextual()) {
                stops.add(stop.asText());
            } else if (stop.isArray() && stop.size() <= MAX_STOP_SEQUENCES) {
                stop.forEach(s -> {
                    if (!s.isTextual()) {
                        throw ApiException.invalid("stop", "stop must hold strings, was " + s);
                    }
                    stops.add(s.asText());
                });
            } else {
                throw ApiException.invalid("stop", "stop must be a string or an array of at most "
                        + MAX_STOP_SEQUENCES + " strings");
            }
            builder.stopSequences(stops);
        }
        try {
            return builder.build();
        } catch (InvalidConfigurationException e) {
            String param = e.field().equals("generation.maxNewTokens") ? lengthField
                    : PARAMS.getOrDefault(e.field(), e.field());
            throw ApiException.invalid(param, param + ": " + e.getMessage());
        }
    }

    private static int integer(JsonNode value, String field) {
        if (!value.isIntegralNumber() || !value.canConvertToInt()) {
            throw ApiException.invalid(field, field + " must be an integer, was " + value);
        }
        return value.asInt();
    }

    private static Optional<Double> number(JsonNode body, String field) {
        JsonNode value = body.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw ApiException.invalid(field, field + " must be a number, was " + value);
        }
        return Optional.of(value.asDouble());
    }
}

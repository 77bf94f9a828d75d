package dev.fastvlm.core.text;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.ModelArtifactException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The files of a HuggingFace tokenizer directory: {@code tokenizer.json} (required), and the
 * optional {@code tokenizer_config.json} (special-token names, chat template) and
 * {@code chat_template.jinja} (newer exports keep the template there instead).
 */
record TokenizerFiles(Path tokenizerJson, Optional<String> chatTemplate, Map<String, String> specialTokens) {

    static final String TOKENIZER_JSON = "tokenizer.json";
    static final String TOKENIZER_CONFIG = "tokenizer_config.json";
    static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";

    /** The special-token names of {@code tokenizer_config.json} that chat templates may read. */
    private static final String[] SPECIAL_TOKEN_KEYS = {"bos_token", "eos_token", "pad_token", "unk_token"};

    TokenizerFiles {
        specialTokens = Map.copyOf(specialTokens);
    }

    static TokenizerFiles locate(Path dirOrTokenizerJson) {
        Path json = Files.isDirectory(dirOrTokenizerJson)
                ? dirOrTokenizerJson.resolve(TOKENIZER_JSON) : dirOrTokenizerJson;
        if (!Files.isRegularFile(json)) {
            throw new ModelArtifactException("tokenizer: no " + TOKENIZER_JSON + " at " + json);
        }
        Path dir = json.toAbsolutePath().getParent();
        Path config = dir.resolve(TOKENIZER_CONFIG);
        Map<String, String> special = new LinkedHashMap<>();
        String template = null;
        if (Files.isRegularFile(config)) {
            JsonNode root = readConfig(config);
            for (String key : SPECIAL_TOKEN_KEYS) {
                tokenText(root.get(key)).ifPresent(text -> special.put(key, text));
            }
            template = chatTemplate(root.get("chat_template"), config);
        }
        Path templateFile = dir.resolve(CHAT_TEMPLATE_FILE);
        if (template == null && Files.isRegularFile(templateFile)) {
            try {
                template = dev.fastvlm.genie.internal.Json.readUtf8(templateFile);
            } catch (IOException e) {
                throw new ModelArtifactException("tokenizer: cannot read " + templateFile + ": " + e.getMessage(), e);
            }
        }
        return new TokenizerFiles(json, Optional.ofNullable(template), special);
    }

    private static JsonNode readConfig(Path config) {
        try {
            JsonNode root = new ObjectMapper().readTree(config.toFile());
            if (root == null || !root.isObject()) {
                throw new ModelArtifactException("tokenizer: " + config + " is not a JSON object");
            }
            return root;
        } catch (IOException e) {
            throw new ModelArtifactException("tokenizer: cannot parse " + config + ": " + e.getMessage(), e);
        }
    }

    /** A special token is written either as its text or as an AddedToken object with a "content". */
    private static Optional<String> tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        JsonNode content = node.get("content");
        return content != null && content.isTextual() ? Optional.of(content.asText()) : Optional.empty();
    }

    /** Either one template string, or a list of named templates of which "default" is the chat one. */
    private static String chatTemplate(JsonNode node, Path config) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            for (JsonNode named : node) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
            }
        }
        throw new ModelArtifactException("tokenizer: " + config
                + ": chat_template must be a string or a list with a \"default\" entry");
    }
}

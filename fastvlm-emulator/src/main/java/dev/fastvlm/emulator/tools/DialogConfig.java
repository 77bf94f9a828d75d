package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The emulated device's own reading of a Genie dialog config: only what genie-t2t-run needs,
 * checked as Genie checks it (exact top level, every {@code version} 1, mandatory keys, no
 * unknown keys in the sections it reads).
 */
record DialogConfig(int embeddingSize, String embeddingDatatype, int contextSize, int nVocab, List<Integer> eosTokens,
                    List<String> stopSequences, int maxNumTokens, Path tokenizer, String backendType,
                    List<Path> modelFiles) {

    private static final Set<String> DIALOG_KEYS = Set.of("version", "type", "context", "tokenizer", "engine",
            "stop-sequence", "max-num-tokens", "sampler", "embedding", "debug");
    private static final Set<String> CONTEXT_KEYS = Set.of("version", "bos-token", "eos-token", "eot-token",
            "pad-token", "size", "n-vocab", "n-embd");
    private static final Set<String> EMBEDDING_KEYS = Set.of("version", "size", "type", "lut-path", "datatype",
            "quant-param");

    static DialogConfig read(Path file, ToolContext ctx) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new ToolFailure("Failed to create dialog config: JSON format error in " + ctx.shown(file) + ": "
                    + e.getMessage(), 1, false);
        }
        if (root == null || !root.isObject() || root.size() != 1 || !root.has("dialog")) {
            throw schema("the top level must be exactly {\"dialog\": {...}}");
        }
        JsonNode dialog = root.get("dialog");
        keys(dialog, "dialog", DIALOG_KEYS, "version", "type", "context", "tokenizer", "engine");
        JsonNode context = dialog.get("context");
        keys(context, "context", CONTEXT_KEYS, "version", "bos-token", "eos-token", "size", "n-vocab");
        JsonNode engine = dialog.get("engine");
        for (String k : new String[] {"version", "backend", "model", "n-threads"}) {
            if (!engine.has(k)) {
                throw schema("engine: missing mandatory key " + k);
            }
        }
        int embeddingSize;
        String datatype = "float32";
        JsonNode embedding = dialog.get("embedding");
        if (embedding != null) {
            keys(embedding, "embedding", EMBEDDING_KEYS, "version", "size");
            embeddingSize = embedding.get("size").asInt();
            datatype = embedding.path("datatype").asText("float32");
        } else if (context.has("n-embd")) {
            embeddingSize = context.get("n-embd").asInt();
        } else {
            embeddingSize = engine.path("backend").path("QnnGenAiTransformer").path("n-embd").asInt(0);
        }
        if (embeddingSize <= 0) {
            throw schema("no embedding size: set dialog.embedding.size");
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode eosNode = context.get("eos-token");
        if (eosNode.isArray()) {
            eosNode.forEach(n -> eos.add(n.asInt()));
        } else {
            eos.add(eosNode.asInt());
        }
        List<String> stops = new ArrayList<>();
        dialog.path("stop-sequence").forEach(n -> stops.add(n.asText()));
        int maxTokens = dialog.path("max-num-tokens").asInt(Integer.MAX_VALUE);
        if (maxTokens < 0) {
            throw new ToolFailure("Failed to create dialog config: JSON value error: max-num-tokens must be >= 0");
        }
        JsonNode tokenizer = dialog.get("tokenizer");
        checkVersion(tokenizer, "tokenizer");
        Path tokenizerPath = ctx.path(tokenizer.path("path").asText());
        String backendType = engine.path("backend").path("type").asText();
        if (!Set.of("QnnHtp", "QnnGenAiTransformer").contains(backendType)) {
            throw new ToolFailure("Failed to create dialog config: JSON value error: backend type " + backendType
                    + " is not emulated (QnnHtp, QnnGenAiTransformer)");
        }
        JsonNode model = engine.get("model");
        checkVersion(model, "engine.model");
        List<Path> files = new ArrayList<>();
        switch (model.path("type").asText()) {
            case "binary" -> model.path("binary").path("ctx-bins").forEach(n -> files.add(ctx.path(n.asText())));
            case "library" -> files.add(ctx.path(model.path("library").path("model-bin").asText()));
            default -> throw schema("engine.model.type must be binary or library");
        }
        if (files.isEmpty()) {
            throw schema("engine.model names no model files");
        }
        return new DialogConfig(embeddingSize, datatype, context.get("size").asInt(), context.get("n-vocab").asInt(),
                List.copyOf(eos), List.copyOf(stops), maxTokens, tokenizerPath, backendType, List.copyOf(files));
    }

    private static void keys(JsonNode node, String where, Set<String> allowed, String... mandatory) {
        if (node == null || !node.isObject()) {
            throw schema(where + " must be an object");
        }
        node.fieldNames().forEachRemaining(k -> {
            if (!allowed.contains(k)) {
                throw schema(where + ": unknown key " + k);
            }
        });
        for (String k : mandatory) {
            if (!node.has(k)) {
                throw schema(where + ": missing mandatory key " + k);
            }
        }
        checkVersion(node, where);
    }

    private static void checkVersion(JsonNode node, String where) {
        if (node == null || node.path("version").asInt(-1) != 1) {
            throw schema(where + ": version must be 1");
        }
    }

    private static ToolFailure schema(String problem) {
        return new ToolFailure("Failed to create dialog config: JSON schema error: " + problem);
    }
}

package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A Genie dialog config, the JSON file {@code genie-t2t-run --config} loads: the fields of its
 * {@code dialog} object, typed. Construction checks everything Genie checks (mandatory fields,
 * versions, enumerations, token ids inside the vocabulary, consistent widths, ...) and reports all
 * problems at once as a {@link GenieConfigException} naming each JSON path.
 *
 * <p>Read a user's config with {@link #parse}/{@link #read}, edit it with {@link #toBuilder()},
 * write it with {@link #toJson()} (stable key order) or {@link #write(Path)} (atomic).
 *
 * @param type          dialog type, normally {@code basic}
 * @param stopSequence  text that ends generation, or null (absent)
 * @param maxNumTokens  most tokens to generate, or null (absent: until the context is full)
 * @param context       the context block
 * @param sampler       the sampler block, or null
 * @param tokenizerPath the HuggingFace {@code tokenizer.json} on the device ({@code tokenizer.path})
 * @param embedding     the embedding block, or null
 * @param engine        the engine block
 */
public record GenieConfig(String type, List<String> stopSequence, Integer maxNumTokens, ContextConfig context,
                          SamplerConfig sampler, String tokenizerPath, EmbeddingConfig embedding,
                          EngineConfig engine) {

    /** The dialog type that answers one query at a time, the only one this project drives. */
    public static final String TYPE_BASIC = "basic";

    /**
     * Checks the whole config against Genie's rules.
     *
     * @param type dialog type, normally {@code basic}
     * @param stopSequence text that ends generation, or null (absent)
     * @param maxNumTokens most tokens to generate, or null (absent: until the context is full)
     * @param context the context block
     * @param sampler the sampler block, or null
     * @param tokenizerPath the HuggingFace {@code tokenizer.json} on the device ({@code tokenizer.path})
     * @param embedding the embedding block, or null
     * @param engine the engine block
     * @throws GenieConfigException listing every problem, each with its JSON path
     */
    public GenieConfig {
        stopSequence = stopSequence == null ? null : Collections.unmodifiableList(new ArrayList<>(stopSequence));
        List<Violation> violations = GenieConfigRules.check(type, stopSequence, maxNumTokens, context, sampler,
                tokenizerPath, embedding, engine);
        if (!violations.isEmpty()) {
            throw new GenieConfigException(violations);
        }
    }

    /**
     * Parses a dialog config; every problem is reported in one {@link GenieConfigException}.
     *
     * @param json the text of a dialog config, with its top-level {@code dialog} object
     * @return the config
     */
    public static GenieConfig parse(String json) {
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(json, error);
        if (root == null) {
            throw new GenieConfigException(List.of(new Violation("<document>", error.toString())));
        }
        List<Violation> problems = new ArrayList<>();
        JsonFields top = JsonFields.of(root, "", problems);
        GenieConfig config = null;
        if (top != null) {
            JsonFields dialog = top.object("dialog", true);
            top.rejectUnknownKeys();
            if (dialog != null) {
                config = readDialog(dialog);
            }
        }
        if (!problems.isEmpty()) {
            throw new GenieConfigException(problems);
        }
        return config;
    }

    /**
     * Reads and parses a dialog config file.
     *
     * @param file a dialog config file
     * @return the config
     * @throws GenieConfigException when the file cannot be read or breaks a rule; the message names the file
     */
    public static GenieConfig read(Path file) {
        return ConfigFiles.read(file, GenieConfig::parse);
    }

    private static GenieConfig readDialog(JsonFields d) {
        d.version();
        String type = d.string("type", true);
        List<String> stop = d.strings("stop-sequence", false);
        Long max = d.integer("max-num-tokens", false);
        if (max != null && (max > Integer.MAX_VALUE || max < Integer.MIN_VALUE)) {
            d.problem("max-num-tokens", "must fit in 32 bits, was " + max);
            max = null;
        }
        JsonFields contextFields = d.object("context", true);
        ContextConfig context = contextFields == null ? null : ContextConfig.read(contextFields);
        JsonFields samplerFields = d.object("sampler", false);
        SamplerConfig sampler = samplerFields == null ? null : SamplerConfig.read(samplerFields);
        JsonFields tokenizerFields = d.object("tokenizer", true);
        String tokenizer = null;
        if (tokenizerFields != null) {
            tokenizerFields.version();
            tokenizer = tokenizerFields.string("path", true);
            tokenizerFields.rejectUnknownKeys();
        }
        JsonFields embeddingFields = d.object("embedding", false);
        EmbeddingConfig embedding = embeddingFields == null ? null : EmbeddingConfig.read(embeddingFields);
        JsonFields engineFields = d.object("engine", true);
        EngineConfig engine = engineFields == null ? null : EngineConfig.read(engineFields);
        d.rejectUnknownKeys();
        if (!d.problems().isEmpty()) {
            return null;
        }
        return new GenieConfig(type, stop, max == null ? null : max.intValue(), context, sampler, tokenizer,
                embedding, engine);
    }

    /**
     * The config as pretty-printed JSON, keys in a fixed order, ending with a newline.
     *
     * @return the JSON text
     */
    public String toJson() {
        ObjectNode dialog = Json.object();
        dialog.put("version", 1);
        dialog.put("type", type);
        if (maxNumTokens != null) {
            dialog.put("max-num-tokens", maxNumTokens);
        }
        if (stopSequence != null) {
            stopSequence.forEach(dialog.putArray("stop-sequence")::add);
        }
        if (embedding != null) {
            dialog.set("embedding", embedding.toJsonNode());
        }
        dialog.set("context", context.toJsonNode());
        if (sampler != null) {
            dialog.set("sampler", sampler.toJsonNode());
        }
        ObjectNode tokenizer = dialog.putObject("tokenizer");
        tokenizer.put("version", 1);
        tokenizer.put("path", tokenizerPath);
        dialog.set("engine", engine.toJsonNode());
        ObjectNode root = Json.object();
        root.set("dialog", dialog);
        return Json.pretty(root);
    }

    /**
     * Writes {@link #toJson()} to {@code file} through a temporary file, so no half-written config exists.
     *
     * @param file the file to write; its parent folders are created
     * @throws dev.fastvlm.FastVlmException when the file cannot be written
     */
    public void write(Path file) {
        Json.writeAtomically(file, toJson());
    }

    /**
     * Checks that a prompt of {@code promptTokens} tokens fits the context together with at least one
     * new token and with {@code max-num-tokens}, if set.
     *
     * @param promptTokens vision rows plus text tokens of the prompt
     * @throws GenieConfigException naming {@code dialog.context.size} or {@code dialog.max-num-tokens}
     */
    public void checkPromptFits(int promptTokens) {
        int room = context.size() - promptTokens;
        if (room < 1) {
            throw new GenieConfigException(List.of(new Violation("dialog.context.size", context.size()
                    + " tokens leave no room to generate after a prompt of " + promptTokens + " tokens")));
        }
        if (maxNumTokens != null && maxNumTokens > room) {
            throw new GenieConfigException(List.of(new Violation("dialog.max-num-tokens", maxNumTokens
                    + " new tokens do not fit after a prompt of " + promptTokens + " tokens in a context of "
                    + context.size() + " (room for " + room + ")")));
        }
    }

    /**
     * A builder starting from an empty config of type {@link #TYPE_BASIC}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this config's values, for editing.
     *
     * @return a builder with every field of this config
     */
    public Builder toBuilder() {
        return new Builder().type(type).stopSequence(stopSequence).maxNumTokens(maxNumTokens).context(context)
                .sampler(sampler).tokenizerPath(tokenizerPath).embedding(embedding).engine(engine);
    }

    /**
     * Mutable builder; {@link #build()} checks the whole config. Besides whole blocks it can repoint
     * the device files a config names (tokenizer, LUT, model files, HTP extensions).
     */
    public static final class Builder {
        private String type = TYPE_BASIC;
        private List<String> stopSequence;
        private Integer maxNumTokens;
        private ContextConfig context;
        private SamplerConfig sampler;
        private String tokenizerPath;
        private EmbeddingConfig embedding;
        private EngineConfig engine;

        private Builder() {
        }

        /**
         * The dialog type; {@link #TYPE_BASIC} when not set.
         *
         * @param type the {@code dialog.type} value
         * @return this builder
         */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /**
         * Stop sequences, or null to leave the key out.
         *
         * @param stopSequence the texts, or null
         * @return this builder
         */
        public Builder stopSequence(List<String> stopSequence) {
            this.stopSequence = stopSequence;
            return this;
        }

        /**
         * Most tokens to generate, or null to leave the key out.
         *
         * @param maxNumTokens a token count, or null
         * @return this builder
         */
        public Builder maxNumTokens(Integer maxNumTokens) {
            this.maxNumTokens = maxNumTokens;
            return this;
        }

        /**
         * The {@code dialog.context} block. Required.
         *
         * @param context the block
         * @return this builder
         */
        public Builder context(ContextConfig context) {
            this.context = context;
            return this;
        }

        /**
         * The {@code dialog.sampler} block, or null to leave it out.
         *
         * @param sampler the block
         * @return this builder
         */
        public Builder sampler(SamplerConfig sampler) {
            this.sampler = sampler;
            return this;
        }

        /**
         * The HuggingFace {@code tokenizer.json} on the device. Required.
         *
         * @param tokenizerPath its device path
         * @return this builder
         */
        public Builder tokenizerPath(String tokenizerPath) {
            this.tokenizerPath = tokenizerPath;
            return this;
        }

        /**
         * The {@code dialog.embedding} block, or null to leave it out.
         *
         * @param embedding the block
         * @return this builder
         */
        public Builder embedding(EmbeddingConfig embedding) {
            this.embedding = embedding;
            return this;
        }

        /**
         * The {@code dialog.engine} block. Required.
         *
         * @param engine the block
         * @return this builder
         */
        public Builder engine(EngineConfig engine) {
            this.engine = engine;
            return this;
        }

        /**
         * Points the embedding's lookup table at {@code path} (the embedding block must exist).
         *
         * @param path device path of the token-to-embedding table
         * @return this builder
         * @throws GenieConfigException when no embedding block has been set
         */
        public Builder lutPath(String path) {
            requirePart(embedding, "dialog.embedding");
            embedding = embedding.withLut(path);
            return this;
        }

        /**
         * Points a binary model at these context binaries (the engine block must exist).
         *
         * @param ctxBins device paths of the context binaries, in load order
         * @return this builder
         * @throws GenieConfigException when no engine block has been set
         */
        public Builder ctxBins(List<String> ctxBins) {
            requirePart(engine, "dialog.engine");
            engine = engine.withModel(engine.model() == null ? ModelConfig.binary(ctxBins)
                    : engine.model().withCtxBins(ctxBins));
            return this;
        }

        /**
         * Points a library model at this file (the engine block must exist).
         *
         * @param modelBin device path of the model library
         * @return this builder
         * @throws GenieConfigException when no engine block has been set
         */
        public Builder modelBin(String modelBin) {
            requirePart(engine, "dialog.engine");
            engine = engine.withModel(engine.model() == null ? ModelConfig.library(modelBin)
                    : engine.model().withModelBin(modelBin));
            return this;
        }

        /**
         * Points the backend at this HTP extension JSON (the engine block must exist).
         *
         * @param path device path of the extension JSON
         * @return this builder
         * @throws GenieConfigException when no engine or backend block has been set
         */
        public Builder extensions(String path) {
            requirePart(engine, "dialog.engine");
            requirePart(engine.backend(), "dialog.engine.backend");
            engine = engine.withBackend(engine.backend().withExtensions(path));
            return this;
        }

        /**
         * Changes the context length of the context block.
         *
         * @param size context length in tokens
         * @return this builder
         * @throws GenieConfigException when no context block has been set
         */
        public Builder contextSize(int size) {
            requirePart(context, "dialog.context");
            context = context.withSize(size);
            return this;
        }

        private static void requirePart(Object part, String path) {
            if (part == null) {
                throw new GenieConfigException(List.of(new Violation(path, "is required before it can be edited")));
            }
        }

        /**
         * Checks the whole config and creates it.
         *
         * @return the config
         * @throws GenieConfigException listing every problem, each with its JSON path
         */
        public GenieConfig build() {
            return new GenieConfig(type, stopSequence, maxNumTokens, context, sampler, tokenizerPath, embedding,
                    engine);
        }
    }
}

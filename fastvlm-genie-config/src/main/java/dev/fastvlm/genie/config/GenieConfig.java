package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.Json;
import dev.fastvlm.genie.internal.Violation;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Genie dialog config, the JSON file {@code genie-t2t-run --config} loads, held as the JSON it
 * is, with typed views of the parts this project reads.
 *
 * <p>Construction applies Genie's own rules, no stricter and no looser (those of
 * {@code GenieDialogConfig_createFromJson}: mandatory fields, {@code version} 1, JSON types,
 * enumerations, unknown keys, blocks that must match their type, engine roles of the
 * multi-engine dialog types). Whatever Genie rejects is reported at once, each problem with its
 * JSON path and Genie's reason, as a {@link GenieConfigException}. Advice that Genie does not
 * enforce (a token id outside the vocabulary, a top-p of 0, widths that disagree) is kept in
 * {@link #warnings()} and never rejects a config.
 *
 * <p>Every dialog type Genie knows is read ({@code basic}, {@code spd}, {@code kv-share},
 * {@code lade}, {@code multistream}, {@code ssd-q1}, {@code eaglet}); blocks and keys that the typed
 * views do not model (per-type blocks, {@code debug}, engine arrays and roles, {@code longcontext},
 * {@code cache-groups}, LoRA, a custom sampler's callback) are kept as written: {@link #toJson()}
 * writes the config back without loss, in its own key order. Read a user's config with
 * {@link #parse}/{@link #read}, edit it with {@link #toBuilder()} (edits touch only what they name),
 * write it with {@link #toJson()} or {@link #write(Path)} (atomic).
 *
 * <p>Instances are immutable; two configs are equal when their JSON trees are.
 */
public final class GenieConfig {

    /** The dialog type that answers one query at a time, the only one this project drives. */
    public static final String TYPE_BASIC = "basic";

    /** For each object path of the dialog, the keys the typed views own (the rest is kept as written). */
    private static final Map<String, Set<String>> MODELLED = Map.ofEntries(
            Map.entry("context", Set.of("version", "size", "n-vocab", "bos-token", "eos-token", "eot-token",
                    "pad-token", "n-embd")),
            Map.entry("sampler", Set.of("version", "seed", "temp", "top-k", "top-p", "greedy", "type",
                    "token-penalty")),
            Map.entry("sampler.token-penalty", Set.of("version", "penalize-last-n", "repetition-penalty",
                    "presence-penalty", "frequency-penalty")),
            Map.entry("embedding", Set.of("version", "size", "type", "lut-path", "datatype", "quant-param")),
            Map.entry("engine", Set.of("version", "n-threads", "backend", "model")),
            Map.entry("engine.backend", Set.of("version", "type", "extensions", "QnnHtp", "QnnGenAiTransformer")),
            Map.entry("engine.model", Set.of("version", "type", "binary", "library", "positional-encoding")),
            Map.entry("engine.model.binary", Set.of("version", "ctx-bins", "lora")),
            Map.entry("engine.model.library", Set.of("version", "model-bin", "lora")),
            Map.entry("engine.model.positional-encoding", Set.of("type", "rope-dim", "rope-theta", "rope-scaling")));
    /** Key order of a config built from scratch. */
    private static final List<String> KEY_ORDER = List.of("version", "type", "max-num-tokens", "stop-sequence",
            "embedding", "context", "sampler", "tokenizer", "engine");

    private final ObjectNode root;
    private final List<String> warnings;
    private final ObjectNode dialog;

    private GenieConfig(ObjectNode root, List<Violation> warnings) {
        this.root = root;
        this.dialog = (ObjectNode) root.get("dialog");
        this.warnings = warnings.stream().map(Violation::toString).toList();
    }

    /** Checks {@code root} by Genie's rules; throws with every problem, or returns the config. */
    private static GenieConfig of(ObjectNode root, List<Violation> earlier) {
        GenieRules.Result result = GenieRules.check(root);
        List<Violation> errors = new ArrayList<>(earlier);
        errors.addAll(result.errors());
        if (!errors.isEmpty()) {
            throw new GenieConfigException(errors);
        }
        return new GenieConfig((ObjectNode) Json.normalized(root), result.warnings());
    }

    /**
     * Parses a dialog config; every problem Genie would reject is reported in one
     * {@link GenieConfigException}.
     *
     * @param json the config's text
     * @return the config
     * @throws GenieConfigException when Genie would reject it
     */
    public static GenieConfig parse(String json) {
        StringBuilder error = new StringBuilder();
        JsonNode root = Json.parse(json, error);
        if (root == null) {
            throw new GenieConfigException(List.of(new Violation("<document>", error.toString())));
        }
        List<Violation> repeated = new ArrayList<>();
        for (String key : Json.repeatedTopLevelKeys(json)) {
            repeated.add(new Violation(key, "Multiple dialog config key: \"" + key + "\""));
        }
        if (!root.isObject()) {
            throw new GenieConfigException(List.of(new Violation("<document>", "Dialog config is not an object")));
        }
        return of((ObjectNode) root, repeated);
    }

    /**
     * Reads and parses a dialog config file; problems name the file.
     *
     * @param file the config file
     * @return the config
     * @throws GenieConfigException when the file cannot be read or Genie would reject it
     */
    public static GenieConfig read(Path file) {
        return ConfigFiles.read(file, GenieConfig::parse);
    }

    /**
     * Advice Genie does not enforce, each as {@code path: advice} (empty for a config with none).
     *
     * @return the warnings, in document order
     */
    public List<String> warnings() {
        return warnings;
    }

    /**
     * The whole config as JSON (a copy; editing it changes nothing here).
     *
     * @return {@code {"dialog": {...}}}
     */
    public ObjectNode json() {
        return root.deepCopy();
    }

    /**
     * The dialog type.
     *
     * @return e.g. {@code basic}, {@code spd}, {@code eaglet}
     */
    public String type() {
        return Views.text(dialog, "type");
    }

    /**
     * The stop sequences.
     *
     * @return the {@code stop-sequence} strings, or null when absent
     */
    public List<String> stopSequence() {
        List<String> stops = Views.texts(dialog, "stop-sequence");
        return stops == null ? null : List.copyOf(stops);
    }

    /**
     * The most tokens to generate.
     *
     * @return {@code max-num-tokens}, or null when absent (generation runs until the context is full)
     */
    public Integer maxNumTokens() {
        return Views.int32(dialog, "max-num-tokens");
    }

    /**
     * The context block.
     *
     * @return sizes and special tokens
     */
    public ContextConfig context() {
        return ContextConfig.read(dialog.get("context"));
    }

    /**
     * The sampler block.
     *
     * @return the sampler, or null when absent
     */
    public SamplerConfig sampler() {
        ObjectNode sampler = Views.object(dialog, "sampler");
        return sampler == null ? null : SamplerConfig.read(sampler);
    }

    /**
     * The tokenizer file.
     *
     * @return the HuggingFace {@code tokenizer.json} on the device ({@code tokenizer.path})
     */
    public String tokenizerPath() {
        return Views.text(dialog.get("tokenizer"), "path");
    }

    /**
     * The embedding block.
     *
     * @return the embedding, or null when absent
     */
    public EmbeddingConfig embedding() {
        ObjectNode embedding = Views.object(dialog, "embedding");
        return embedding == null ? null : EmbeddingConfig.read(embedding);
    }

    /**
     * The engine that answers: the only one, or of a multi-engine dialog the one whose role is
     * {@code primary} or {@code target}.
     *
     * @return the main engine
     */
    public EngineConfig engine() {
        return EngineConfig.read(mainEngine(dialog));
    }

    /**
     * Every engine, in file order.
     *
     * @return one engine, or the engines of a multi-engine dialog
     */
    public List<EngineConfig> engines() {
        JsonNode engines = dialog.get("engine");
        List<EngineConfig> out = new ArrayList<>();
        if (engines.isArray()) {
            engines.forEach(e -> out.add(EngineConfig.read(e)));
        } else {
            out.add(EngineConfig.read(engines));
        }
        return List.copyOf(out);
    }

    private static ObjectNode mainEngine(ObjectNode dialog) {
        JsonNode engines = dialog.get("engine");
        if (engines == null || engines.isObject()) {
            return (ObjectNode) engines;
        }
        for (JsonNode e : engines) {
            String role = e.path("role").asText("");
            if (role.equals("primary") || role.equals("target")) {
                return (ObjectNode) e;
            }
        }
        return engines.isEmpty() || !engines.get(0).isObject() ? null : (ObjectNode) engines.get(0);
    }

    /**
     * The config as pretty-printed JSON in its own key order, ending with a newline.
     *
     * @return the JSON text
     */
    public String toJson() {
        return Json.pretty(root);
    }

    /**
     * Writes {@link #toJson()} to {@code file} through a temporary file, so no half-written config exists.
     *
     * @param file where to write
     */
    public void write(Path file) {
        Json.writeAtomically(file, toJson());
    }

    /**
     * Checks that a prompt of {@code promptTokens} tokens fits the context together with at least one
     * new token and with {@code max-num-tokens}, if set.
     *
     * @param promptTokens length of the prompt
     * @throws GenieConfigException naming {@code dialog.context.size} or {@code dialog.max-num-tokens}
     */
    public void checkPromptFits(int promptTokens) {
        int size = context().size();
        int room = size - promptTokens;
        if (room < 1) {
            throw new GenieConfigException(List.of(new Violation("dialog.context.size", size
                    + " tokens leave no room to generate after a prompt of " + promptTokens + " tokens")));
        }
        Integer max = maxNumTokens();
        if (max != null && max > room) {
            throw new GenieConfigException(List.of(new Violation("dialog.max-num-tokens", max
                    + " new tokens do not fit after a prompt of " + promptTokens + " tokens in a context of "
                    + size + " (room for " + room + ")")));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GenieConfig other && root.equals(other.root);
    }

    @Override
    public int hashCode() {
        return root.hashCode();
    }

    @Override
    public String toString() {
        return "GenieConfig" + root;
    }

    /**
     * A builder for a config from scratch (a {@code basic} dialog).
     *
     * @return an empty builder
     */
    public static Builder builder() {
        return new Builder(null);
    }

    /**
     * A builder holding this config, for editing: whatever an edit does not name stays as written.
     *
     * @return a builder with this config's JSON
     */
    public Builder toBuilder() {
        return new Builder(dialog.deepCopy());
    }

    /**
     * Mutable builder; {@link #build()} checks the whole config by Genie's rules. Setting a whole
     * block replaces the keys its typed view owns and keeps the others; the other edits repoint
     * the device files a config names (tokenizer, LUT, model files, HTP extensions). Engine edits
     * apply to the main engine ({@link GenieConfig#engine()}).
     */
    public static final class Builder {
        private final ObjectNode dialog;
        private final boolean fresh;

        private Builder(ObjectNode dialog) {
            this.fresh = dialog == null;
            this.dialog = fresh ? Json.object() : dialog;
            if (fresh) {
                this.dialog.put("version", 1);
                this.dialog.put("type", TYPE_BASIC);
            }
        }

        /**
         * Sets the dialog type.
         *
         * @param type e.g. {@code basic}
         * @return this builder
         */
        public Builder type(String type) {
            return put("type", type == null ? null : dialog.textNode(type));
        }

        /**
         * Sets the stop sequences.
         *
         * @param stopSequence the strings, or null to leave the key out
         * @return this builder
         */
        public Builder stopSequence(List<String> stopSequence) {
            if (stopSequence == null) {
                return put("stop-sequence", null);
            }
            ArrayNode stops = dialog.arrayNode();
            stopSequence.forEach(stops::add);
            return put("stop-sequence", stops);
        }

        /**
         * Sets the most tokens to generate.
         *
         * @param maxNumTokens the limit, or null to leave the key out
         * @return this builder
         */
        public Builder maxNumTokens(Integer maxNumTokens) {
            return put("max-num-tokens", maxNumTokens == null ? null : dialog.numberNode(maxNumTokens));
        }

        /**
         * Sets the context block.
         *
         * @param context the block, or null to remove it
         * @return this builder
         */
        public Builder context(ContextConfig context) {
            return block("context", context == null ? null : context.toJsonNode());
        }

        /**
         * Sets the sampler block.
         *
         * @param sampler the block, or null to remove it
         * @return this builder
         */
        public Builder sampler(SamplerConfig sampler) {
            return block("sampler", sampler == null ? null : sampler.toJsonNode());
        }

        /**
         * Sets the tokenizer file.
         *
         * @param tokenizerPath the {@code tokenizer.json} on the device, or null to remove the tokenizer block
         * @return this builder
         */
        public Builder tokenizerPath(String tokenizerPath) {
            if (tokenizerPath == null) {
                return put("tokenizer", null);
            }
            ObjectNode tokenizer = Views.object(dialog, "tokenizer");
            if (tokenizer == null) {
                tokenizer = Json.object().put("version", 1);
                dialog.set("tokenizer", tokenizer);
            }
            tokenizer.put("path", tokenizerPath);
            return this;
        }

        /**
         * Sets the embedding block.
         *
         * @param embedding the block, or null to remove it
         * @return this builder
         */
        public Builder embedding(EmbeddingConfig embedding) {
            return block("embedding", embedding == null ? null : embedding.toJsonNode());
        }

        /**
         * Sets the main engine.
         *
         * @param engine the engine, or null to remove the engine block
         * @return this builder
         */
        public Builder engine(EngineConfig engine) {
            if (engine == null) {
                return put("engine", null);
            }
            ObjectNode old = mainEngine(dialog);
            ObjectNode merged = Json.merge(old, engine.toJsonNode(), "engine", MODELLED);
            replaceMainEngine(old, merged);
            return this;
        }

        /**
         * Points the embedding's lookup table at {@code path} (the embedding block must exist).
         *
         * @param path the table on the device
         * @return this builder
         */
        public Builder lutPath(String path) {
            ObjectNode embedding = require(Views.object(dialog, "embedding"), "dialog.embedding");
            embedding.put("type", EmbeddingConfig.TYPE_LUT);
            embedding.put("lut-path", path);
            return this;
        }

        /**
         * Points the main engine's model at these context binaries (type binary; the engine must
         * exist), keeping its LoRA and positional encoding.
         *
         * @param ctxBins the context binaries in order
         * @return this builder
         */
        public Builder ctxBins(List<String> ctxBins) {
            ArrayNode files = modelBlock(ModelType.BINARY, "binary", "library").putArray("ctx-bins");
            ctxBins.forEach(files::add);
            return this;
        }

        /**
         * Points the main engine's model at this library file (type library; the engine must exist).
         *
         * @param modelBin the model library on the device
         * @return this builder
         */
        public Builder modelBin(String modelBin) {
            modelBlock(ModelType.LIBRARY, "library", "binary").put("model-bin", modelBin);
            return this;
        }

        /**
         * Makes the main engine's model of {@code type}: its {@code block} is kept, or made (carrying
         * over the LoRA of the {@code other} block), and the {@code other} block goes.
         */
        private ObjectNode modelBlock(ModelType type, String block, String other) {
            ObjectNode model = model();
            model.put("type", type.jsonName());
            ObjectNode previous = Views.object(model, other);
            model.remove(other);
            ObjectNode kept = Views.object(model, block);
            if (kept == null) {
                kept = model.putObject(block).put("version", 1);
                if (previous != null && previous.has("lora")) {
                    kept.set("lora", previous.get("lora"));
                }
            }
            return kept;
        }

        /**
         * Points the main engine's backend at this HTP extension JSON (the backend must exist).
         *
         * @param path the extension JSON on the device, or null to remove the key
         * @return this builder
         */
        public Builder extensions(String path) {
            ObjectNode backend = require(Views.object(require(mainEngine(dialog), "dialog.engine"), "backend"),
                    "dialog.engine.backend");
            if (path == null) {
                backend.remove("extensions");
            } else {
                backend.put("extensions", path);
            }
            return this;
        }

        /**
         * Sets the context length (the context block must exist).
         *
         * @param size tokens the context holds
         * @return this builder
         */
        public Builder contextSize(int size) {
            require(Views.object(dialog, "context"), "dialog.context").put("size", size);
            return this;
        }

        private ObjectNode model() {
            ObjectNode engine = require(mainEngine(dialog), "dialog.engine");
            ObjectNode model = Views.object(engine, "model");
            return model != null ? model : engine.putObject("model").put("version", 1);
        }

        private void replaceMainEngine(ObjectNode old, ObjectNode merged) {
            JsonNode engines = dialog.get("engine");
            if (engines != null && engines.isArray()) {
                for (int i = 0; i < engines.size(); i++) {
                    if (engines.get(i) == old) {
                        ((ArrayNode) engines).set(i, merged);
                        return;
                    }
                }
                ((ArrayNode) engines).add(merged);
                return;
            }
            dialog.set("engine", merged);
        }

        private Builder block(String key, ObjectNode typed) {
            return put(key, typed == null ? null : Json.merge(dialog.get(key), typed, key, MODELLED));
        }

        private Builder put(String key, JsonNode value) {
            if (value == null) {
                dialog.remove(key);
            } else {
                dialog.set(key, value);
            }
            return this;
        }

        private static ObjectNode require(ObjectNode part, String path) {
            if (part == null) {
                throw new GenieConfigException(List.of(new Violation(path, "is required before it can be edited")));
            }
            return part;
        }

        /**
         * Checks the config by Genie's rules.
         *
         * @return the config
         * @throws GenieConfigException when Genie would reject it
         */
        public GenieConfig build() {
            ObjectNode out = Json.object();
            if (fresh) {
                for (String key : KEY_ORDER) {
                    if (dialog.has(key)) {
                        out.set(key, dialog.get(key).deepCopy());
                    }
                }
            }
            dialog.properties().forEach(e -> {
                if (!out.has(e.getKey())) {
                    out.set(e.getKey(), e.getValue().deepCopy());
                }
            });
            ObjectNode root = Json.object();
            root.set("dialog", out);
            return GenieConfig.of(root, List.of());
        }
    }
}

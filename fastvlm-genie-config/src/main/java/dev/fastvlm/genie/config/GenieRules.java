package dev.fastvlm.genie.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.genie.internal.JsonFields;
import dev.fastvlm.genie.internal.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;

/**
 * The checks Genie's {@code GenieDialogConfig_createFromJson} makes on a dialog config, and no
 * others: every rule here has its counterpart in Genie's {@code Dialog.cpp}/{@code Sampler.cpp}
 * (docs/qualcomm-formats.md names the source), and each error carries the reason Genie gives.
 * Genie stops at the first problem; this walk reports them all.
 *
 * <p>Advice that Genie does not enforce (token ids outside the vocabulary, sampler values out of
 * their useful range, widths that disagree) is collected as warnings, never errors.
 */
final class GenieRules {
    static final List<String> DIALOG_TYPES = List.of("basic", "ssd-q1", "lade", "spd", "multistream", "eaglet",
            "kv-share");
    /** The per-type blocks of a dialog; each is allowed (or required) only with its own type. */
    private static final List<String> TYPE_BLOCKS = List.of("ssd-q1", "lade", "spd", "kv-share", "multistream",
            "eaglet");
    static final List<String> EMBEDDING_DATATYPES = List.of("float32", "native", "ufixed8", "ufixed16", "sfixed8",
            "sfixed16");
    private static final Pattern CPU_MASK = Pattern.compile("0[xX][0-9a-fA-F]+");
    /** Engine roles of the multi-engine dialog types, in the order Genie requires them. */
    private static final Map<String, List<String>> ROLES = Map.of("spd", List.of("draft", "target"),
            "kv-share", List.of("primary", "secondary"), "eaglet", List.of("target", "draft"));

    private final List<Violation> errors = new ArrayList<>();
    private final List<Violation> warnings = new ArrayList<>();
    /** Genie's {@code position_dim_set}/{@code rope_theta_set}: set by any engine validated so far. */
    private boolean posIdDimSeen;
    private boolean ropeThetaSeen;

    /** What the walk found: problems Genie rejects, and advice it does not enforce. */
    record Result(List<Violation> errors, List<Violation> warnings) {
    }

    private GenieRules() {
    }

    /** Checks a whole document ({@code {"dialog": {...}}}). */
    static Result check(JsonNode root) {
        GenieRules rules = new GenieRules();
        rules.root(root);
        return new Result(List.copyOf(rules.errors), List.copyOf(rules.warnings));
    }

    private void error(String path, String reason) {
        errors.add(new Violation(path, reason));
    }

    private void warn(String path, String advice) {
        warnings.add(new Violation(path, advice));
    }

    private static String at(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private void root(JsonNode root) {
        if (root == null || !root.isObject()) {
            error("<document>", "Dialog config is not an object");
            return;
        }
        if (!root.has("dialog")) {
            error("dialog", "Missing dialog field: dialog");
        }
        root.fieldNames().forEachRemaining(key -> {
            if (!key.equals("dialog")) {
                error(key, "Unknown dialog config key: " + key);
            }
        });
        JsonNode dialog = root.get("dialog");
        if (dialog == null) {
            return;
        }
        if (!dialog.isObject()) {
            error("dialog", "Invalid dialog config: dialog is not an object");
            return;
        }
        dialog(withKvShareBlock((ObjectNode) dialog));
    }

    /**
     * Genie's {@code updateDialogConfigForKVShare}: an older kv-share config spells
     * {@code enable-in-memory-kv-share} in the secondary engine's QnnGenAiTransformer block; Genie
     * moves it to a {@code kv-share} block before validating. Works on a copy.
     */
    static ObjectNode withKvShareBlock(ObjectNode dialog) {
        if (!"kv-share".equals(dialog.path("type").asText(null)) || dialog.has("kv-share")
                || !dialog.path("engine").isArray()) {
            return dialog;
        }
        ObjectNode copy = dialog.deepCopy();
        for (JsonNode engine : copy.get("engine")) {
            if (!engine.path("role").isTextual()) {
                return dialog;
            }
            if (!engine.get("role").asText().equals("secondary")) {
                continue;
            }
            JsonNode cpu = engine.path("backend").path(BackendType.QNN_GEN_AI_TRANSFORMER.jsonName());
            if (!cpu.isObject() || !cpu.has("enable-in-memory-kv-share")) {
                return dialog;
            }
            copy.putObject("kv-share").set("enable-in-memory-kv-share",
                    ((ObjectNode) cpu).remove("enable-in-memory-kv-share"));
            return copy;
        }
        return dialog;
    }

    private void dialog(ObjectNode d) {
        String p = "dialog";
        mandatory(d, p, "dialog", "version", "type", "context", "tokenizer", "engine");
        String type = "basic";
        if (d.path("type").isTextual()) {
            type = d.get("type").asText();
        }
        for (Map.Entry<String, JsonNode> item : d.properties()) {
            String key = item.getKey();
            JsonNode v = item.getValue();
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "dialog");
                case "type" -> {
                    if (string(v, path, "dialog", key) && !DIALOG_TYPES.contains(v.asText())) {
                        error(path, "Invalid dialog type: " + v.asText());
                    }
                }
                case "accumulator-size" -> {
                    // accepted as it is: Genie's dialog validation does nothing with it
                }
                case "ssd-q1", "lade", "spd", "kv-share", "multistream", "eaglet" -> object(v, path, "dialog", key);
                case "stop-sequence" -> {
                    if (array(v, path, "dialog", key)) {
                        for (int i = 0; i < v.size(); i++) {
                            if (!v.get(i).isTextual()) {
                                error(path + "[" + i + "]", "stop-sequence must be an array of strings");
                            } else if (v.get(i).asText().isEmpty()) {
                                warn(path + "[" + i + "]", "an empty stop sequence stops nothing");
                            }
                        }
                    }
                }
                case "max-num-tokens" -> {
                    if (numeric(v, path, "dialog", key) && v.asInt() < 0) {
                        error(path, "number of tokens must be > 0. provided: " + v);
                    }
                }
                case "context" -> {
                    if (object(v, path, "dialog", key)) {
                        context(v, path);
                    }
                }
                case "tokenizer" -> {
                    if (object(v, path, "dialog", key)) {
                        tokenizer(v, path);
                    }
                }
                case "sampler" -> {
                    if (object(v, path, "dialog", key)) {
                        sampler(v, path);
                    }
                }
                case "engine" -> {
                    if (!v.isArray() && !v.isObject()) {
                        error(path, "Invalid dialog config: engine is not an array or object");
                    }
                }
                case "embedding" -> {
                    if (object(v, path, "dialog", key)) {
                        embedding(v, path, d.path("context"));
                    }
                }
                case "debug" -> {
                    if (object(v, path, "dialog", key)) {
                        debug(v, path);
                    }
                }
                default -> error(path, "Unknown dialog config key: " + key);
            }
        }
        if (d.has("engine") && (d.get("engine").isArray() || d.get("engine").isObject())) {
            engines(d.get("engine"), at(p, "engine"), type, d);
        }
        typeBlocks(d, type);
    }

    private void typeBlocks(ObjectNode d, String type) {
        for (String block : TYPE_BLOCKS) {
            JsonNode config = d.get(block);
            boolean present = config != null && config.isObject();
            String path = at("dialog", block);
            if (type.equals(block)) {
                if (!present) {
                    // Genie lets a kv-share dialog go without its block
                    if (block.equals("eaglet")) {
                        error(path, "eaglet dialog config for incorrect dialog type: " + type);
                    } else if (!block.equals("kv-share")) {
                        error(path, "Missing " + block + " dialog config");
                    }
                    continue;
                }
                switch (block) {
                    case "ssd-q1" -> ssd(config, path);
                    case "lade" -> lade(config, path);
                    case "spd" -> spd(config, path);
                    case "kv-share" -> kvShare(config, path);
                    case "multistream" -> multistream(config, path);
                    default -> eaglet(config, path);
                }
            } else if (present && !block.equals("multistream") && !block.equals("eaglet")) {
                // Genie ignores a stray multistream or eaglet block, but not the others
                error(path, block + " dialog config for incorrect dialog type: " + type);
            }
        }
    }

    private void context(JsonNode c, String p) {
        mandatory(c, p, "context", "version", "bos-token", "eos-token", "size", "n-vocab");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "context");
                case "eos-token" -> {
                    if (!v.isNumber() && !v.isArray()) {
                        error(path, "Invalid context config: eos-token is not an array or numeric");
                    }
                }
                case "bos-token", "eot-token", "size", "n-vocab", "draft-n-vocab", "pad-token", "n-embd" ->
                        numeric(v, path, "context", key);
                default -> error(path, "Unknown context config key: " + key);
            }
        });
        contextAdvice(c, p);
    }

    /** Advice on the context's values; Genie checks only that they are numbers. */
    private void contextAdvice(JsonNode c, String p) {
        for (String key : List.of("size", "n-vocab")) {
            if (c.path(key).isNumber() && c.get(key).asDouble() <= 0) {
                warn(at(p, key), "is " + c.get(key) + "; a context needs a positive " + key);
            }
        }
        JsonNode vocab = c.path("n-vocab");
        if (!vocab.isNumber() || vocab.asDouble() <= 0) {
            return;
        }
        long nVocab = vocab.asLong();
        for (String key : List.of("bos-token", "eos-token", "eot-token", "pad-token")) {
            JsonNode v = c.get(key);
            if (v == null) {
                continue;
            }
            if (v.isArray()) {
                if (v.isEmpty()) {
                    warn(at(p, key), "names no token, so no token ends generation");
                }
                for (int i = 0; i < v.size(); i++) {
                    tokenAdvice(v.get(i), at(p, key) + "[" + i + "]", nVocab);
                }
            } else {
                tokenAdvice(v, at(p, key), nVocab);
            }
        }
    }

    private void tokenAdvice(JsonNode id, String path, long nVocab) {
        if (!id.isNumber()) {
            return;
        }
        long value = id.asLong();
        // -1 is the usual spelling of "no such token" (e.g. Llama 3's bos-token in Qualcomm's configs)
        if (value != -1 && (value < 0 || value >= nVocab || !id.canConvertToExactIntegral())) {
            warn(path, "token " + id + " is not in the vocabulary [0, " + nVocab + ")");
        }
    }

    private void tokenizer(JsonNode c, String p) {
        mandatory(c, p, "tokenizer", "version", "path");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "tokenizer");
                case "path" -> string(v, path, "tokenizer", key);
                default -> error(path, "Unknown tokenizer config key: " + key);
            }
        });
    }

    private void embedding(JsonNode c, String p, JsonNode context) {
        mandatory(c, p, "embedding", "version", "size");
        boolean[] lut = new boolean[2];
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "embedding");
                case "size" -> numeric(v, path, "embedding", key);
                case "type" -> {
                    if (string(v, path, "embedding", key)) {
                        if (!v.asText().equals("lut") && !v.asText().equals("callback")) {
                            error(path, "Unknown embedding type: " + v.asText());
                        }
                        lut[0] = v.asText().equals("lut");
                    }
                }
                case "datatype" -> {
                    if (string(v, path, "embedding", key) && !EMBEDDING_DATATYPES.contains(v.asText())) {
                        error(path, "Unknown embedding datatype: " + v.asText());
                    }
                }
                case "lut-path" -> {
                    string(v, path, "embedding", key);
                    lut[1] = true;
                }
                case "quant-param" -> {
                    if (object(v, path, "embedding", key) && !(v.path("scale").isNumber()
                            && v.path("offset").isNumber())) {
                        warn(path, "Genie reads a numeric scale and offset from it");
                    }
                }
                default -> error(path, "Unknown embedding config key: " + key);
            }
        });
        if (lut[0] != lut[1]) {
            error(at(p, lut[0] ? "type" : "lut-path"), "lut-path config option should be used with type lut");
        }
        if (c.path("size").isNumber() && context.path("n-embd").isNumber()
                && c.get("size").asLong() != context.get("n-embd").asLong()) {
            warn(at(p, "size"), c.get("size") + " differs from dialog.context.n-embd (" + context.get("n-embd")
                    + "); Genie uses the embedding size");
        }
    }

    private void sampler(JsonNode c, String p) {
        mandatory(c, p, "sampler", "version");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "sampler");
                case "seed", "temp", "top-k", "top-p" -> numeric(v, path, "sampler", key);
                case "greedy" -> bool(v, path, "sampler", key);
                case "type", "callback-name" -> string(v, path, "sampler", key);
                case "token-penalty" -> tokenPenalty(v, path);
                default -> error(path, "Unknown sampler config key: " + key);
            }
        });
        String type = c.path("type").asText(null);
        if (c.has("callback-name") && type != null && !type.equals("custom")) {
            error(at(p, "callback-name"), "callback-name specified but type is set to: " + c.get("type")
                    + " Type must be custom");
        }
        if ("custom".equals(type) && !c.has("callback-name")) {
            error(at(p, "type"), "callback-name not specified but type is set to custom");
        }
        if ("custom".equals(type) && (c.has("temp") || c.has("top-p") || c.has("top-k") || c.has("greedy"))) {
            error(at(p, "type"), "Provided keys are not compatible with custom sampler type.");
        }
        if (type != null && !type.equals("basic") && !type.equals("custom")) {
            warn(at(p, "type"), "\"" + type + "\" is neither basic nor custom");
        }
        if (c.path("temp").isNumber() && c.get("temp").asDouble() < 0) {
            warn(at(p, "temp"), "a negative temperature " + c.get("temp") + " has no meaning");
        }
        if (c.path("top-p").isNumber() && !(c.get("top-p").asDouble() > 0 && c.get("top-p").asDouble() <= 1)) {
            warn(at(p, "top-p"), c.get("top-p") + " is outside (0, 1]");
        }
        if (c.path("top-k").isNumber() && c.get("top-k").asDouble() < 0) {
            warn(at(p, "top-k"), "a negative top-k " + c.get("top-k") + " has no meaning");
        }
    }

    private void tokenPenalty(JsonNode c, String p) {
        if (!c.isObject()) {
            error(p, "token-penalty config is not an object");
            return;
        }
        mandatory(c, p, "token-penalty", "version");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "token-penalty");
                case "penalize-last-n", "repetition-penalty", "presence-penalty", "frequency-penalty" ->
                        numeric(v, path, "token-penalty", key);
                default -> error(path, "Unknown token-penalty config key: " + key);
            }
        });
    }

    private void debug(JsonNode c, String p) {
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "path" -> string(v, path, "debug", key);
                case "dump-tensors", "dump-specs", "dump-outputs" -> bool(v, path, "debug", key);
                // Genie's own wording for an unknown debug key names the multistream config
                default -> error(path, "Unknown multistream config key: " + key);
            }
        });
    }

    private void engines(JsonNode engines, String p, String type, JsonNode dialog) {
        List<String> roles = ROLES.get(type);
        if (engines.isObject()) {
            engine(engines, p, type, dialog);
            if (type.equals("spd") || type.equals("kv-share")) {
                error(p, "engine config for " + type + " is not an array");
            }
            return;
        }
        if (roles == null) {
            error(p, "engine config is not an object or an array");
            return;
        }
        if (engines.size() != 2) {
            // Genie's eaglet check reuses the kv-share wording
            error(p, "engine config for " + (type.equals("eaglet") ? "kv-share" : type)
                    + " contain invalid number of engines");
            return;
        }
        boolean[] seen = new boolean[2];
        for (int i = 0; i < engines.size(); i++) {
            JsonNode engine = engines.get(i);
            engine(engine, p + "[" + i + "]", type, dialog);
            String role = engine.path("role").asText("");
            for (int r = 0; r < 2; r++) {
                seen[r] |= role.equals(roles.get(r));
            }
        }
        String[] names = {"draft engine", "target engine"};
        if (type.equals("kv-share")) {
            names = new String[] {"primary", "secondary"};
        } else if (type.equals("eaglet")) {
            names = new String[] {"target engine", "draft engine"};
        }
        for (int r = 0; r < 2; r++) {
            if (!seen[r]) {
                error(p, "engine config for " + type + " does not contain " + names[r]);
            }
        }
    }

    private void engine(JsonNode c, String p, String type, JsonNode dialog) {
        if (!c.isObject()) {
            error(p, "engine config is not an object");
            return;
        }
        mandatory(c, p, "engine", "version", "backend", "model", "n-threads");
        if (type.equals("spd") || type.equals("kv-share")) {
            mandatory(c, p, "engine", "role");
        }
        // Genie walks an engine's keys in sorted order, so its backend before its model
        if (c.has("backend")) {
            if (object(c.get("backend"), at(p, "backend"), "engine", "backend")) {
                backend(c.get("backend"), at(p, "backend"), dialog);
            }
        }
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "engine");
                case "backend" -> {
                    // checked above
                }
                case "model" -> {
                    if (object(v, path, "engine", key)) {
                        model(v, path);
                    }
                }
                case "n-threads" -> {
                    if (numeric(v, path, "engine", key) && v.asDouble() <= 0) {
                        warn(path, "is " + v + "; Genie needs at least one thread");
                    }
                }
                case "role" -> role(v, path, type);
                case "longcontext" -> longContext(v, path);
                case "cache-groups" -> {
                    if (array(v, path, "engine", key)) {
                        if (v.isEmpty()) {
                            error(path, "cache-groups cannot be an empty array.");
                        }
                        for (int i = 0; i < v.size(); i++) {
                            cacheGroup(v.get(i), path + "[" + i + "]");
                        }
                    }
                }
                default -> error(path, "Unknown engine config key: " + key);
            }
        });
    }

    private void role(JsonNode v, String path, String type) {
        List<String> roles = ROLES.get(type);
        if (roles == null) {
            error(path, "Unknown engine config key: role");
        } else if (string(v, path, "engine", "role") && !roles.contains(v.asText())) {
            error(path, "Unknown value: for engine config key: role");
        }
    }

    private void longContext(JsonNode c, String p) {
        if (!c.isObject()) {
            error(p, "longcontext config is not an object");
            return;
        }
        mandatory(c, p, "longcontext", "version", "type");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "longcontext");
                case "type" -> {
                    if (string(v, path, "longcontext", key) && !v.asText().equals("keydiff")
                            && !v.asText().equals("sliding-window")) {
                        error(path, "Unknown value: for longcontext config key: type");
                    }
                }
                case "reserved-tokens" -> numeric(v, path, "longcontext", key);
                case "keydiff" -> keyDiff(v, path);
                case "sliding-window" -> slidingWindow(v, path);
                default -> error(path, "Unknown longcontext config key: " + key);
            }
        });
    }

    private void keyDiff(JsonNode c, String p) {
        if (!c.isObject()) {
            error(p, "keydiff config is not an object");
            return;
        }
        mandatory(c, p, "keydiff", "version", "scoring-network", "update-frequency");
        // Genie checks the known keys of a keydiff block and lets other keys pass
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "keydiff");
                case "scoring-network" -> string(v, path, "keydiff", key);
                case "update-frequency" -> numeric(v, path, "keydiff", key);
                default -> {
                }
            }
        });
    }

    private void slidingWindow(JsonNode c, String p) {
        if (!c.isObject()) {
            error(p, "sliding-window config is not an object");
            return;
        }
        mandatory(c, p, "sliding-window", "version", "window-size");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "sliding-window");
                case "window-size" -> numeric(v, path, "sliding-window", key);
                default -> error(path, "Unknown sliding-window config key: " + key);
            }
        });
    }

    private void cacheGroup(JsonNode c, String p) {
        if (!c.isObject()) {
            error(p, "cache-groups entry is not an object");
            return;
        }
        mandatory(c, p, "cache-groups entry", "version", "prefix");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "cache-groups entry");
                case "longcontext" -> longContext(v, path);
                case "prefix" -> {
                    if (string(v, path, "cache-groups", key) && v.asText().isEmpty()) {
                        error(path, "Invalid cache-groups entry config: cache tensor prefix cannot be an empty"
                                + " string.");
                    }
                }
                case "attention-mask-tensor-name", "cache-index-tensor-name" -> string(v, path, "cache-groups", key);
                default -> error(path, "Unknown cache-group config key: " + key);
            }
        });
    }

    private void backend(JsonNode c, String p, JsonNode dialog) {
        mandatory(c, p, "backend", "version", "type");
        String type = c.path("type").asText("");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "backend");
                case "type" -> {
                    if (string(v, path, "backend", key) && BackendType.fromJsonName(v.asText()).isEmpty()) {
                        error(path, "Invalid backend config: unsupported type: " + v);
                    }
                }
                case "extensions" -> string(v, path, "backend", key);
                case "QnnHtp", "QnnGenAiTransformer" -> object(v, path, "backend", key);
                default -> error(path, "Unknown backend config key: " + key);
            }
        });
        for (BackendType block : List.of(BackendType.QNN_HTP, BackendType.QNN_GEN_AI_TRANSFORMER)) {
            String name = block.jsonName();
            boolean present = c.path(name).isObject();
            String path = at(p, name);
            if (type.equals(name)) {
                if (!present) {
                    error(path, "Missing " + name + " dialog config");
                } else if (block == BackendType.QNN_HTP) {
                    htp(c.get(name), path);
                } else {
                    genAi(c.get(name), path, dialog);
                }
            } else if (present) {
                error(path, name + " backend config for incorrect backend type: " + type);
            }
        }
    }

    private void htp(JsonNode c, String p) {
        mandatory(c, p, "QnnHtp", "version", "spill-fill-bufsize", "mmap-budget", "use-mmap", "cpu-mask", "poll");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "QnnHtp");
                case "spill-fill-bufsize", "data-alignment-size", "mmap-budget", "kv-dim" -> {
                    if (numeric(v, path, "QnnHtp", key) && v.asDouble() < 0) {
                        warn(path, "a negative size " + v + " has no meaning");
                    }
                }
                case "pos-id-dim" -> {
                    posIdDimSeen = true;
                    numeric(v, path, "QnnHtp", key);
                }
                case "rope-theta" -> {
                    ropeThetaSeen = true;
                    numeric(v, path, "QnnHtp", key);
                }
                case "use-mmap", "poll", "allow-async-init", "enable-graph-switching", "shared-engine",
                     "skip-lora-validation" -> bool(v, path, "QnnHtp", key);
                case "cpu-mask" -> {
                    if (string(v, path, "QnnHtp", key) && !CPU_MASK.matcher(v.asText()).matches()) {
                        warn(path, "\"" + v.asText() + "\" is not a hexadecimal mask such as \"0xe0\"");
                    }
                }
                case "kv-update-method" -> string(v, path, "QnnHtp", key);
                case "graph-switching-lora-policy" -> {
                    if (string(v, path, "QnnHtp", key) && !v.asText().equals("lazy")
                            && !v.asText().equals("eager")) {
                        error(path, "Invalid QnnHtp config. graph-switching-lora-policy option must either be lazy"
                                + " or eager");
                    }
                }
                default -> error(path, "Unknown QnnHtp config key: " + key);
            }
        });
        if ("lazy".equals(c.path("graph-switching-lora-policy").asText(null))
                && !c.path("enable-graph-switching").asBoolean(false)) {
            error(at(p, "graph-switching-lora-policy"), "Invalid QnnHtp config. Lazy LoRA application policy"
                    + " requires graph switching enabled");
        }
        if (c.path("shared-engine").asBoolean(false) && !c.path("allow-async-init").asBoolean(false)) {
            error(at(p, "shared-engine"), "Invalid QnnHtp config. Engine sharing is only supported with async Init"
                    + " enabled");
        }
    }

    private void genAi(JsonNode c, String p, JsonNode dialog) {
        mandatory(c, p, "QnnGenAiTransformer", "version");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "QnnGenAiTransformer");
                case "use-mmap", "kv-quantization", "shared-engine" -> bool(v, path, "QnnGenAiTransformer", key);
                case "n-logits", "n-layer", "n-embd", "n-heads", "n-kv-heads" ->
                        numeric(v, path, "QnnGenAiTransformer", key);
                case "model-input" -> string(v, path, "QnnGenAiTransformer", key);
                default -> error(path, "Unknown QnnGenAiTransformer config key: " + key);
            }
        });
        JsonNode heads = c.path("n-heads");
        JsonNode kvHeads = c.path("n-kv-heads");
        if (kvHeads.isNumber() && kvHeads.asLong() <= 0) {
            warn(at(p, "n-kv-heads"), "is " + kvHeads + "; attention needs at least one key/value head");
        } else if (heads.isNumber() && kvHeads.isNumber() && heads.asLong() % kvHeads.asLong() != 0) {
            warn(at(p, "n-heads"), heads + " is not a multiple of n-kv-heads (" + kvHeads + ")");
        }
        JsonNode size = dialog.path("embedding").path("size");
        if (c.path("n-embd").isNumber() && size.isNumber() && c.get("n-embd").asLong() != size.asLong()) {
            warn(at(p, "n-embd"), c.get("n-embd") + " differs from dialog.embedding.size (" + size + ")");
        }
    }

    private void model(JsonNode c, String p) {
        mandatory(c, p, "model", "version", "type");
        String type = c.path("type").asText("");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "model");
                case "type" -> {
                    if (string(v, path, "model", key) && !v.asText().equals("binary")
                            && !v.asText().equals("library")) {
                        error(path, "Invalid model config: unsupported type: " + v);
                    }
                }
                case "binary", "library", "positional-encoding" -> object(v, path, "model", key);
                case "draft-token-map" -> string(v, path, "model", key);
                default -> error(path, "Unknown model config key: " + key);
            }
        });
        for (String block : List.of("binary", "library")) {
            boolean present = c.path(block).isObject();
            String path = at(p, block);
            if (type.equals(block)) {
                if (!present) {
                    error(path, "Missing " + block + " model config");
                } else {
                    modelFiles(c.get(block), path, block);
                }
            } else if (present) {
                error(path, block + " model config for incorrect model type: " + type);
            }
        }
        if (c.path("positional-encoding").isObject()) {
            positionalEncoding(c.get("positional-encoding"), at(p, "positional-encoding"));
        }
    }

    private void modelFiles(JsonNode c, String p, String block) {
        String files = block.equals("binary") ? "ctx-bins" : "model-bin";
        mandatory(c, p, block, "version", files);
        forEach(c, (key, v) -> {
            String path = at(p, key);
            if (key.equals("version")) {
                version(v, path, block);
            } else if (key.equals(files) && block.equals("binary")) {
                if (array(v, path, block, key)) {
                    if (v.isEmpty()) {
                        warn(path, "names no context binary");
                    }
                    for (JsonNode file : v) {
                        if (!file.isTextual()) {
                            error(path, "ctx-bins must be an array of strings");
                            break;
                        }
                    }
                }
            } else if (key.equals(files)) {
                string(v, path, block, key);
            } else if (key.equals("lora")) {
                if (object(v, path, block, key)) {
                    lora(v, path);
                }
            } else {
                error(path, "Unknown " + block + " config key: " + key);
            }
        });
    }

    private void lora(JsonNode c, String p) {
        mandatory(c, p, "lora", "version", "adapters");
        int loraVersion = 2;
        if (c.has("lora-version")) {
            int v = c.get("lora-version").asInt();
            loraVersion = v >= 1 && v <= 3 ? v : 0;
        }
        int specified = loraVersion;
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "lora");
                case "alpha-tensor-name" -> string(v, path, "lora", key);
                case "adapters" -> {
                    if (array(v, path, "lora", key)) {
                        for (int i = 0; i < v.size(); i++) {
                            loraAdapter(v.get(i), path + "[" + i + "]", specified);
                        }
                    }
                }
                case "groups" -> {
                    if (array(v, path, "lora", key)) {
                        for (int i = 0; i < v.size(); i++) {
                            loraGroup(v.get(i), path + "[" + i + "]", specified);
                        }
                    }
                }
                case "lora-version" -> numeric(v, path, "lora", key);
                default -> error(path, "Unknown lora config key: " + key);
            }
        });
        if (loraVersion == 0) {
            error(at(p, "lora-version"), "Unsupported lora version: " + c.get("lora-version"));
        }
    }

    private void loraAdapter(JsonNode c, String p, int loraVersion) {
        if (!c.isObject()) {
            error(p, "lora adapter config is not an object");
            return;
        }
        mandatory(c, p, "lora adapter", "version", "name");
        int[] configured = {0};
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "lora");
                case "name" -> string(v, path, "lora adapter", key);
                case "alphas", "bin-sections" -> {
                    configured[0] = 2;
                    if (array(v, path, "lora adapter", key)) {
                        for (JsonNode e : v) {
                            if (!e.isTextual()) {
                                error(path, key + " must be an array of strings");
                                break;
                            }
                        }
                    }
                }
                case "path" -> {
                    configured[0] = 1;
                    string(v, path, "lora adapter", key);
                }
                default -> error(path, "Unknown lora adapter config key: " + key);
            }
        });
        if (loraVersion == 1 && configured[0] == 2) {
            error(p, "LoRA Adapters must be used with lora version: 2 or 3");
        } else if (loraVersion >= 2 && configured[0] == 1) {
            error(p, "LoRA Weights must be used with lora version: 1");
        } else if (configured[0] == 0) {
            error(p, "Invalid lora config.");
        }
    }

    private void loraGroup(JsonNode c, String p, int loraVersion) {
        if (loraVersion == 1) {
            error(p, "LoRA Adapter Groups must be used with lora version: 2 or 3");
        }
        if (!c.isObject()) {
            error(p, "lora group config is not an object");
            return;
        }
        mandatory(c, p, "lora group", "version", "name", "members", "quant-bin-sections");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "lora");
                case "name" -> string(v, path, "lora adapter group", key);
                case "members", "quant-bin-sections" -> {
                    if (array(v, path, "lora adapter group", key)) {
                        for (JsonNode e : v) {
                            if (!e.isTextual()) {
                                error(path, key + " must be an array of strings");
                                break;
                            }
                        }
                    }
                }
                default -> error(path, "Unknown lora adapter group config key: " + key);
            }
        });
    }

    private void positionalEncoding(JsonNode c, String p) {
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "type" -> {
                    if (!Set.of("rope", "absolute", "alibi").contains(v.asText(""))) {
                        error(path, "positional-encoding type not supported");
                    }
                }
                case "rope-dim", "rope-theta" -> numeric(v, path, "positional-encoding", key);
                case "rope-scaling" -> {
                    if (object(v, path, "positional-encoding", key)) {
                        ropeScaling(v, path);
                    }
                }
                default -> error(path, "Unknown positional encoding config key: " + key);
            }
        });
        if (posIdDimSeen) {
            error(p, "Specify one config from pos-id-dim and positional-encoding");
        }
        if (ropeThetaSeen) {
            error(p, "Specify one config from rope-theta and positional-encoding");
        }
    }

    private void ropeScaling(JsonNode c, String p) {
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "rope-type" -> {
                    if (string(v, path, "rope-scaling", key)
                            && !Set.of("llama3", "default", "longrope").contains(v.asText())) {
                        error(path, "Rope type not supported" + v.asText());
                    }
                }
                case "factor", "low-freq-factor", "high-freq-factor", "original-max-position-embeddings" ->
                        numeric(v, path, "rope-scaling", key);
                case "short-factor", "long-factor" -> array(v, path, "rope-scaling", key);
                default -> error(path, "Rope scaling parameter not supported " + key);
            }
        });
    }

    private void ssd(JsonNode c, String p) {
        mandatory(c, p, "ssd-q1", "version", "ssd-version", "forecast-token-count", "branches", "forecast-prefix",
                "forecast-prefix-name");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "ssd-q1");
                case "ssd-version", "forecast-token-count", "forecast-prefix", "n-streams", "p-threshold" ->
                        numeric(v, path, "ssd-q1", key);
                case "branches" -> {
                    if (array(v, path, "ssd-q1", key)) {
                        for (JsonNode e : v) {
                            if (!e.isIntegralNumber()) {
                                error(path, "branches must be an array of integers");
                                break;
                            }
                        }
                    }
                }
                case "branch-mode" -> {
                    if (string(v, path, "ssd-q1", key) && !v.asText().equals("top-1")
                            && !v.asText().equals("all-expand")) {
                        error(path, "branch-mode must be either top-1 or all-expand");
                    }
                }
                case "forecast-prefix-name" -> string(v, path, "ssd-q1", key);
                default -> error(path, "Unknown ssd-q1 config key: " + key);
            }
        });
        if (c.path("p-threshold").asDouble(0) > 0 && c.path("n-streams").asInt(1) <= 1) {
            error(at(p, "p-threshold"), "p-threshold can only be used with multistream (n-streams > 1)");
        }
        if (c.path("branches").isArray() && c.get("branches").size() > c.path("forecast-token-count").asInt(0)) {
            error(at(p, "branches"), "Size of branches array must be less than forecast-token-count");
        }
    }

    private void eaglet(JsonNode c, String p) {
        mandatory(c, p, "eaglet", "version", "eaglet-version", "draft-len", "n-branches",
                "max-tokens-target-can-evaluate", "draft-kv-cache");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "eaglet");
                case "eaglet-version" -> numeric(v, path, "eaglet", key);
                case "draft-len", "n-branches", "max-tokens-target-can-evaluate" -> {
                    if (numeric(v, path, "eaglet", key) && v.asInt() <= 0) {
                        error(path, "Invalid eaglet " + key + " config: unsupported value: " + v);
                    }
                }
                case "draft-kv-cache" -> bool(v, path, "eaglet", key);
                default -> error(path, "Unknown eaglet config key: " + key);
            }
        });
    }

    private void lade(JsonNode c, String p) {
        mandatory(c, p, "lade", "version", "update-mode", "window", "ngram", "gcap");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "lade");
                case "update-mode" -> {
                    if (string(v, path, "lade", key)
                            && !Set.of("FWD_MAX_HIT", "FWD_LEVEL", "ALWAYS_FWD_ONE").contains(v.asText())) {
                        error(path, "Invalid lade config: unsupported update-mode: " + v);
                    }
                }
                case "window", "ngram", "gcap" -> numeric(v, path, "lade", key);
                default -> error(path, "Unknown lade config key: " + key);
            }
        });
    }

    private void spd(JsonNode c, String p) {
        mandatory(c, p, "spd", "version", "draft-len");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "spd");
                case "draft-len" -> numeric(v, path, "spd", key);
                default -> error(path, "Unknown spd config key: " + key);
            }
        });
    }

    private void kvShare(JsonNode c, String p) {
        forEach(c, (key, v) -> {
            if (key.equals("enable-in-memory-kv-share")) {
                bool(v, at(p, key), "kv-share", key);
            } else {
                error(at(p, key), "Unknown kv-share config key: " + key);
            }
        });
    }

    private void multistream(JsonNode c, String p) {
        mandatory(c, p, "multistream", "version", "n-streams");
        forEach(c, (key, v) -> {
            String path = at(p, key);
            switch (key) {
                case "version" -> version(v, path, "multistream");
                case "n-streams", "p-threshold" -> numeric(v, path, "multistream", key);
                default -> error(path, "Unknown multistream config key: " + key);
            }
        });
    }

    // --- Genie's JSON_ENFORCE_* checks, with its wording

    private void mandatory(JsonNode c, String p, String component, String... fields) {
        for (String field : fields) {
            if (!c.has(field)) {
                error(at(p, field), "Missing " + component + " field: " + field);
            }
        }
    }

    private static void forEach(JsonNode c, BiConsumer<String, JsonNode> item) {
        for (Map.Entry<String, JsonNode> e : c.properties()) {
            item.accept(e.getKey(), e.getValue());
        }
    }

    /** A block's {@code version}: a number whose integer part is 1 ({@code get<int>() != 1} in Genie). */
    private void version(JsonNode v, String path, String component) {
        if (numeric(v, path, component, "version") && v.asInt() != 1) {
            error(path, "Invalid " + component + " config: unsupported version: " + v);
        }
    }

    private boolean numeric(JsonNode v, String path, String component, String key) {
        if (!v.isNumber()) {
            error(path, "Invalid " + component + " config: " + key + " is not numeric (was " + JsonFields.describe(v)
                    + ")");
            return false;
        }
        return true;
    }

    private boolean string(JsonNode v, String path, String component, String key) {
        if (!v.isTextual()) {
            error(path, "Invalid " + component + " config: " + key + " is not a string (was "
                    + JsonFields.describe(v) + ")");
            return false;
        }
        return true;
    }

    private void bool(JsonNode v, String path, String component, String key) {
        if (!v.isBoolean()) {
            error(path, "Invalid " + component + " config: " + key + " is not a boolean (was "
                    + JsonFields.describe(v) + ")");
        }
    }

    private boolean object(JsonNode v, String path, String component, String key) {
        if (!v.isObject()) {
            error(path, "Invalid " + component + " config: " + key + " is not an object (was "
                    + JsonFields.describe(v) + ")");
            return false;
        }
        return true;
    }

    private boolean array(JsonNode v, String path, String component, String key) {
        if (!v.isArray()) {
            error(path, "Invalid " + component + " config: " + key + " is not an array (was "
                    + JsonFields.describe(v) + ")");
            return false;
        }
        return true;
    }
}

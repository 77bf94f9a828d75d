package dev.fastvlm.genie.config;

import dev.fastvlm.genie.internal.Violation;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** The checks Genie makes on a dialog config (and a few it would only fail on later, on the device). */
final class GenieConfigRules {
    static final List<String> DIALOG_TYPES = List.of("basic", "ssd-q1", "lade", "spd", "multistream", "eaglet",
            "kv-share");
    private static final Set<String> SAMPLER_TYPES = Set.of("basic", "custom");
    private static final Set<String> EMBEDDING_TYPES = Set.of("lut", "callback");
    private static final Set<String> POSITIONAL_ENCODINGS = Set.of("rope", "absolute", "alibi");
    private static final Pattern CPU_MASK = Pattern.compile("0[xX][0-9a-fA-F]+");

    private final List<Violation> violations = new ArrayList<>();

    private GenieConfigRules() {
    }

    static List<Violation> check(String type, List<String> stopSequence, Integer maxNumTokens,
                                 ContextConfig context, SamplerConfig sampler, String tokenizerPath,
                                 EmbeddingConfig embedding, EngineConfig engine) {
        GenieConfigRules rules = new GenieConfigRules();
        rules.dialog(type, stopSequence, maxNumTokens, tokenizerPath, sampler);
        if (context == null) {
            rules.fail("dialog.context", "is required");
        } else {
            rules.context(context);
        }
        if (embedding != null) {
            rules.embedding(embedding, context);
        }
        if (engine == null) {
            rules.fail("dialog.engine", "is required");
        } else {
            rules.engine(engine, context, embedding);
        }
        return rules.violations;
    }

    private void fail(String path, String problem) {
        violations.add(new Violation(path, problem));
    }

    private void dialog(String type, List<String> stopSequence, Integer maxNumTokens, String tokenizerPath,
                        SamplerConfig sampler) {
        if (type == null) {
            fail("dialog.type", "is required");
        } else if (!DIALOG_TYPES.contains(type)) {
            fail("dialog.type", "must be one of " + String.join(", ", DIALOG_TYPES) + ", was \"" + type + "\"");
        }
        if (maxNumTokens != null && maxNumTokens < 0) {
            fail("dialog.max-num-tokens", "must be >= 0, was " + maxNumTokens);
        }
        if (stopSequence != null) {
            for (int i = 0; i < stopSequence.size(); i++) {
                if (stopSequence.get(i) == null || stopSequence.get(i).isEmpty()) {
                    fail("dialog.stop-sequence[" + i + "]", "must not be empty");
                }
            }
        }
        if (tokenizerPath == null || tokenizerPath.isBlank()) {
            fail("dialog.tokenizer.path", "is required");
        }
        if (sampler != null) {
            sampler(sampler);
        }
    }

    private void context(ContextConfig context) {
        positive("dialog.context.size", context.size());
        positive("dialog.context.n-vocab", context.nVocab());
        tokenId("dialog.context.bos-token", context.bosToken(), context.nVocab());
        if (context.eosTokens().isEmpty()) {
            fail("dialog.context.eos-token", "must name at least one token");
        } else if (context.eosTokens().size() == 1) {
            tokenId("dialog.context.eos-token", context.eosTokens().get(0), context.nVocab());
        } else {
            for (int i = 0; i < context.eosTokens().size(); i++) {
                tokenId("dialog.context.eos-token[" + i + "]", context.eosTokens().get(i), context.nVocab());
            }
        }
        if (context.eotToken() != null) {
            tokenId("dialog.context.eot-token", context.eotToken(), context.nVocab());
        }
        if (context.padToken() != null) {
            tokenId("dialog.context.pad-token", context.padToken(), context.nVocab());
        }
        if (context.nEmbd() != null) {
            positive("dialog.context.n-embd", context.nEmbd());
        }
    }

    private void tokenId(String path, Integer id, int nVocab) {
        if (id == null) {
            fail(path, "is required");
        } else if (id < 0 || id >= nVocab) {
            fail(path, "must be a token of the vocabulary [0, " + nVocab + "), was " + id);
        }
    }

    private void sampler(SamplerConfig s) {
        if (s.temp() != null && !(s.temp() >= 0 && Double.isFinite(s.temp()))) {
            fail("dialog.sampler.temp", "must be a finite number >= 0, was " + s.temp());
        }
        if (s.topP() != null && !(s.topP() > 0 && s.topP() <= 1)) {
            fail("dialog.sampler.top-p", "must be in (0, 1], was " + s.topP());
        }
        if (s.topK() != null && s.topK() < 1) {
            fail("dialog.sampler.top-k", "must be >= 1, was " + s.topK());
        }
        if (s.type() != null && !SAMPLER_TYPES.contains(s.type())) {
            fail("dialog.sampler.type", "must be one of basic, custom, was \"" + s.type() + "\"");
        }
    }

    private void embedding(EmbeddingConfig e, ContextConfig context) {
        positive("dialog.embedding.size", e.size());
        if (e.type() != null && !EMBEDDING_TYPES.contains(e.type())) {
            fail("dialog.embedding.type", "must be one of lut, callback, was \"" + e.type() + "\"");
        }
        boolean lut = EmbeddingConfig.TYPE_LUT.equals(e.type());
        if (lut && e.lutPath() == null) {
            fail("dialog.embedding.lut-path", "is required when type is lut");
        } else if (!lut && e.lutPath() != null) {
            fail("dialog.embedding.lut-path", "is only allowed when type is lut");
        }
        if (e.quantParam() != null && !(e.quantParam().scale() > 0 && Double.isFinite(e.quantParam().scale()))) {
            fail("dialog.embedding.quant-param.scale", "must be a finite number > 0, was " + e.quantParam().scale());
        }
        if (context != null && context.nEmbd() != null && context.nEmbd() != e.size()) {
            fail("dialog.embedding.size", "must equal dialog.context.n-embd (" + context.nEmbd() + "), was "
                    + e.size());
        }
    }

    private void engine(EngineConfig engine, ContextConfig context, EmbeddingConfig embedding) {
        positive("dialog.engine.n-threads", engine.nThreads());
        BackendConfig backend = engine.backend();
        if (backend == null) {
            fail("dialog.engine.backend", "is required");
        } else {
            backend(backend, context, embedding);
        }
        if (engine.model() == null) {
            fail("dialog.engine.model", "is required");
        } else {
            model(engine.model(), backend);
        }
    }

    private void backend(BackendConfig backend, ContextConfig context, EmbeddingConfig embedding) {
        String base = "dialog.engine.backend.";
        if (backend.type() == null) {
            fail(base + "type", "is required");
            return;
        }
        String type = backend.type().jsonName();
        blockMatchesType(base + BackendType.QNN_HTP.jsonName(), backend.qnnHtp() != null,
                backend.type() == BackendType.QNN_HTP, type);
        blockMatchesType(base + BackendType.QNN_GEN_AI_TRANSFORMER.jsonName(), backend.qnnGenAiTransformer() != null,
                backend.type() == BackendType.QNN_GEN_AI_TRANSFORMER, type);
        if (backend.qnnHtp() != null) {
            htp(backend.qnnHtp());
        }
        if (backend.qnnGenAiTransformer() != null) {
            genAi(backend.qnnGenAiTransformer(), context, embedding);
        }
    }

    private void blockMatchesType(String path, boolean present, boolean expected, String type) {
        if (expected && !present) {
            fail(path, "is required when type is " + type);
        } else if (!expected && present) {
            fail(path, "is not allowed when type is " + type);
        }
    }

    private void htp(QnnHtpConfig htp) {
        String base = "dialog.engine.backend.QnnHtp.";
        if (htp.cpuMask() == null || !CPU_MASK.matcher(htp.cpuMask()).matches()) {
            fail(base + "cpu-mask", "must be a hexadecimal mask such as \"0xe0\", was "
                    + (htp.cpuMask() == null ? "null" : "\"" + htp.cpuMask() + "\""));
        }
        if (htp.spillFillBufsize() < 0) {
            fail(base + "spill-fill-bufsize", "must be >= 0, was " + htp.spillFillBufsize());
        }
        if (htp.mmapBudget() < 0) {
            fail(base + "mmap-budget", "must be >= 0, was " + htp.mmapBudget());
        }
        if (Boolean.TRUE.equals(htp.sharedEngine()) && !Boolean.TRUE.equals(htp.allowAsyncInit())) {
            fail(base + "shared-engine", "needs allow-async-init true");
        }
        String policy = htp.graphSwitchingLoraPolicy();
        if (policy != null && !policy.equals("lazy") && !policy.equals("eager")) {
            fail(base + "graph-switching-lora-policy", "must be lazy or eager, was \"" + policy + "\"");
        } else if ("lazy".equals(policy) && !Boolean.TRUE.equals(htp.enableGraphSwitching())) {
            fail(base + "graph-switching-lora-policy", "lazy needs enable-graph-switching true");
        }
    }

    private void genAi(QnnGenAiTransformerConfig cpu, ContextConfig context, EmbeddingConfig embedding) {
        String base = "dialog.engine.backend.QnnGenAiTransformer.";
        if (cpu.nKvHeads() != null && cpu.nKvHeads() <= 0) {
            fail(base + "n-kv-heads", "must be > 0, was " + cpu.nKvHeads());
        } else if (cpu.nHeads() != null && cpu.nKvHeads() != null && cpu.nHeads() % cpu.nKvHeads() != 0) {
            fail(base + "n-heads", "must be divisible by n-kv-heads (" + cpu.nKvHeads() + "), was " + cpu.nHeads());
        }
        if (cpu.nEmbd() != null) {
            if (embedding != null && embedding.size() != cpu.nEmbd()) {
                fail(base + "n-embd", "must equal dialog.embedding.size (" + embedding.size() + "), was "
                        + cpu.nEmbd());
            } else if (embedding == null && context != null && context.nEmbd() != null
                    && !context.nEmbd().equals(cpu.nEmbd())) {
                fail(base + "n-embd", "must equal dialog.context.n-embd (" + context.nEmbd() + "), was "
                        + cpu.nEmbd());
            }
        }
    }

    private void model(ModelConfig model, BackendConfig backend) {
        String base = "dialog.engine.model.";
        if (model.type() == null) {
            fail(base + "type", "is required");
            return;
        }
        String type = model.type().jsonName();
        blockMatchesType(base + "binary", model.ctxBins() != null, model.type() == ModelType.BINARY, type);
        blockMatchesType(base + "library", model.modelBin() != null, model.type() == ModelType.LIBRARY, type);
        if (model.ctxBins() != null) {
            if (model.ctxBins().isEmpty()) {
                fail(base + "binary.ctx-bins", "must name at least one context binary");
            }
            for (int i = 0; i < model.ctxBins().size(); i++) {
                if (model.ctxBins().get(i).isBlank()) {
                    fail(base + "binary.ctx-bins[" + i + "]", "must not be blank");
                }
            }
        }
        if (model.modelBin() != null && model.modelBin().isBlank()) {
            fail(base + "library.model-bin", "must not be blank");
        }
        PositionalEncoding encoding = model.positionalEncoding();
        if (encoding != null) {
            if (!POSITIONAL_ENCODINGS.contains(encoding.type())) {
                fail(base + "positional-encoding.type", "must be one of rope, absolute, alibi, was "
                        + (encoding.type() == null ? "null" : "\"" + encoding.type() + "\""));
            }
            QnnHtpConfig htp = backend == null ? null : backend.qnnHtp();
            if (htp != null && htp.posIdDim() != null) {
                fail(base + "positional-encoding", "cannot be combined with dialog.engine.backend.QnnHtp.pos-id-dim");
            }
            if (htp != null && htp.ropeTheta() != null) {
                fail(base + "positional-encoding", "cannot be combined with dialog.engine.backend.QnnHtp.rope-theta");
            }
        }
    }

    private void positive(String path, int value) {
        if (value <= 0) {
            fail(path, "must be > 0, was " + value);
        }
    }
}

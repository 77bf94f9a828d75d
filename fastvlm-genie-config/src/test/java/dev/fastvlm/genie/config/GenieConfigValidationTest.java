package dev.fastvlm.genie.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static dev.fastvlm.genie.config.Fixtures.text;
import static dev.fastvlm.genie.config.Fixtures.with;
import static dev.fastvlm.genie.config.Fixtures.without;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Genie's own rules (Dialog.cpp, Sampler.cpp), no stricter and no looser: one failing case per rule
 * Genie enforces, with the path and Genie's reason, and one accepted case per piece of advice it
 * does not enforce, which becomes a warning.
 */
class GenieConfigValidationTest {
    private static final String SEED = "seed-cpu-dialog.json";
    private static final String HTP = "fastvlm-htp-lut.json";
    private static final String QWEN = "qwen-htp-six-parts.json";

    static Stream<Arguments> rejected() {
        return Stream.of(
                arguments("missing context size", without(SEED, "/dialog/context/size"),
                        "dialog.context.size: Missing context field: size"),
                arguments("missing engine", without(SEED, "/dialog/engine"),
                        "dialog.engine: Missing dialog field: engine"),
                arguments("missing tokenizer path", without(SEED, "/dialog/tokenizer/path"),
                        "dialog.tokenizer.path: Missing tokenizer field: path"),
                arguments("missing QnnHtp poll", without(HTP, "/dialog/engine/backend/QnnHtp/poll"),
                        "dialog.engine.backend.QnnHtp.poll: Missing QnnHtp field: poll"),
                arguments("missing model-bin", without(SEED, "/dialog/engine/model/library/model-bin"),
                        "dialog.engine.model.library.model-bin: Missing library field: model-bin"),
                arguments("unknown key", with(HTP, "/dialog/engine/backend/QnnHtp/cpu-affinity", "\"0xe0\""),
                        "dialog.engine.backend.QnnHtp.cpu-affinity: Unknown QnnHtp config key: cpu-affinity"),
                arguments("unknown top-level key", with(SEED, "/comment", "\"mine\""),
                        "comment: Unknown dialog config key: comment"),
                arguments("unknown context key", with(SEED, "/dialog/context/n-ctx", "512"),
                        "dialog.context.n-ctx: Unknown context config key: n-ctx"),
                arguments("version 2", with(SEED, "/dialog/sampler/version", "2"),
                        "dialog.sampler.version: Invalid sampler config: unsupported version: 2"),
                arguments("missing version", without(SEED, "/dialog/engine/model/library/version"),
                        "dialog.engine.model.library.version: Missing library field: version"),
                arguments("cpu-mask as number", with(HTP, "/dialog/engine/backend/QnnHtp/cpu-mask", "224"),
                        "dialog.engine.backend.QnnHtp.cpu-mask: Invalid QnnHtp config: cpu-mask is not a string"
                                + " (was 224)"),
                arguments("size as string", with(SEED, "/dialog/context/size", "\"512\""),
                        "dialog.context.size: Invalid context config: size is not numeric (was \"512\")"),
                arguments("use-mmap as string", with(HTP, "/dialog/engine/backend/QnnHtp/use-mmap", "\"yes\""),
                        "dialog.engine.backend.QnnHtp.use-mmap: Invalid QnnHtp config: use-mmap is not a boolean"
                                + " (was \"yes\")"),
                arguments("stop-sequence not strings", with(HTP, "/dialog/stop-sequence", "[\"a\", 3]"),
                        "dialog.stop-sequence[1]: stop-sequence must be an array of strings"),
                arguments("eos-token as text", with(SEED, "/dialog/context/eos-token", "\"</s>\""),
                        "dialog.context.eos-token: Invalid context config: eos-token is not an array or numeric"),
                arguments("context not an object", with(SEED, "/dialog/context", "[]"),
                        "dialog.context: Invalid dialog config: context is not an object (was an array)"),
                arguments("dialog type", with(SEED, "/dialog/type", "\"chatty\""),
                        "dialog.type: Invalid dialog type: chatty"),
                arguments("backend type", with(SEED, "/dialog/engine/backend/type", "\"QnnDsp\""),
                        "dialog.engine.backend.type: Invalid backend config: unsupported type: \"QnnDsp\"; "
                                + "dialog.engine.backend.QnnGenAiTransformer: QnnGenAiTransformer backend config for"
                                + " incorrect backend type: QnnDsp"),
                arguments("model type", with(SEED, "/dialog/engine/model/type", "\"archive\""),
                        "dialog.engine.model.type: Invalid model config: unsupported type: \"archive\"; "
                                + "dialog.engine.model.library: library model config for incorrect model type:"
                                + " archive"),
                arguments("embedding datatype", with(SEED, "/dialog/embedding/datatype", "\"float16\""),
                        "dialog.embedding.datatype: Unknown embedding datatype: float16"),
                arguments("embedding type", with(SEED, "/dialog/embedding/type", "\"table\""),
                        "dialog.embedding.type: Unknown embedding type: table"),
                arguments("positional-encoding type", with(HTP,
                                "/dialog/engine/model/positional-encoding/type", "\"learned\""),
                        "dialog.engine.model.positional-encoding.type: positional-encoding type not supported"),
                arguments("rope scaling type", with(HTP,
                                "/dialog/engine/model/positional-encoding/rope-scaling", "{\"rope-type\": \"yarn\"}"),
                        "dialog.engine.model.positional-encoding.rope-scaling.rope-type: Rope type not supportedyarn"),
                arguments("positional-encoding with pos-id-dim", with(HTP,
                                "/dialog/engine/backend/QnnHtp/pos-id-dim", "64"),
                        "dialog.engine.model.positional-encoding: Specify one config from pos-id-dim and"
                                + " positional-encoding"),
                arguments("positional-encoding with rope-theta", with(HTP,
                                "/dialog/engine/backend/QnnHtp/rope-theta", "1000000"),
                        "dialog.engine.model.positional-encoding: Specify one config from rope-theta and"
                                + " positional-encoding"),
                arguments("negative max-num-tokens", with(SEED, "/dialog/max-num-tokens", "-1"),
                        "dialog.max-num-tokens: number of tokens must be > 0. provided: -1"),
                arguments("shared engine without async init", with(HTP,
                                "/dialog/engine/backend/QnnHtp/shared-engine", "true"),
                        "dialog.engine.backend.QnnHtp.shared-engine: Invalid QnnHtp config. Engine sharing is only"
                                + " supported with async Init enabled"),
                arguments("unknown lora policy", with(HTP,
                                "/dialog/engine/backend/QnnHtp/graph-switching-lora-policy", "\"never\""),
                        "dialog.engine.backend.QnnHtp.graph-switching-lora-policy: Invalid QnnHtp config."
                                + " graph-switching-lora-policy option must either be lazy or eager"),
                arguments("lazy lora without graph switching", with(HTP,
                                "/dialog/engine/backend/QnnHtp/graph-switching-lora-policy", "\"lazy\""),
                        "dialog.engine.backend.QnnHtp.graph-switching-lora-policy: Invalid QnnHtp config. Lazy LoRA"
                                + " application policy requires graph switching enabled"),
                arguments("lora not an object", with(QWEN, "/dialog/engine/model/binary/lora", "[]"),
                        "dialog.engine.model.binary.lora: Invalid binary config: lora is not an object (was an"
                                + " array)"),
                arguments("lora adapter of no version", with(QWEN, "/dialog/engine/model/binary/lora",
                                "{\"version\": 1, \"adapters\": [{\"version\": 1, \"name\": \"a\"}]}"),
                        "dialog.engine.model.binary.lora.adapters[0]: Invalid lora config."),
                arguments("CPU shared-engine as text", with(SEED,
                                "/dialog/engine/backend/QnnGenAiTransformer/shared-engine", "\"no\""),
                        "dialog.engine.backend.QnnGenAiTransformer.shared-engine: Invalid QnnGenAiTransformer"
                                + " config: shared-engine is not a boolean (was \"no\")"),
                arguments("lut without lut-path", without(HTP, "/dialog/embedding/lut-path"),
                        "dialog.embedding.type: lut-path config option should be used with type lut"),
                arguments("lut-path without lut", with(SEED, "/dialog/embedding/lut-path", "\"LUT.bin\""),
                        "dialog.embedding.lut-path: lut-path config option should be used with type lut"),
                arguments("QnnHtp type without its block", with(SEED, "/dialog/engine/backend/type", "\"QnnHtp\""),
                        "dialog.engine.backend.QnnHtp: Missing QnnHtp dialog config; "
                                + "dialog.engine.backend.QnnGenAiTransformer: QnnGenAiTransformer backend config for"
                                + " incorrect backend type: QnnHtp"),
                arguments("binary model without ctx-bins", with(SEED, "/dialog/engine/model/type", "\"binary\""),
                        "dialog.engine.model.binary: Missing binary model config; "
                                + "dialog.engine.model.library: library model config for incorrect model type: binary"),
                arguments("custom sampler without a callback", with(SEED, "/dialog/sampler",
                                "{\"version\": 1, \"type\": \"custom\"}"),
                        "dialog.sampler.type: callback-name not specified but type is set to custom"),
                arguments("custom sampler with a temperature", with(SEED, "/dialog/sampler",
                                "{\"version\": 1, \"type\": \"custom\", \"callback-name\": \"mine\", \"temp\": 1}"),
                        "dialog.sampler.type: Provided keys are not compatible with custom sampler type."),
                arguments("a role in a basic dialog", with(SEED, "/dialog/engine/role", "\"primary\""),
                        "dialog.engine.role: Unknown engine config key: role"),
                arguments("an engine array in a basic dialog", with(SEED, "/dialog/engine", "[]"),
                        "dialog.engine: engine config is not an object or an array"),
                arguments("spd without its block", with(SEED, "/dialog/type", "\"spd\""),
                        "dialog.engine.role: Missing engine field: role; dialog.engine: engine config for spd is not"
                                + " an array; dialog.spd: Missing spd dialog config"),
                arguments("a lade block in a basic dialog", with(SEED, "/dialog/lade",
                                "{\"version\": 1, \"update-mode\": \"FWD_LEVEL\", \"window\": 8, \"ngram\": 5,"
                                        + " \"gcap\": 8}"),
                        "dialog.lade: lade dialog config for incorrect dialog type: basic"),
                arguments("empty cache-groups", with(HTP, "/dialog/engine/cache-groups", "[]"),
                        "dialog.engine.cache-groups: cache-groups cannot be an empty array."),
                arguments("unknown debug key", with(SEED, "/dialog/debug", "{\"dump-all\": true}"),
                        "dialog.debug.dump-all: Unknown multistream config key: dump-all"),
                arguments("not JSON", "{\"dialog\": ", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejected")
    void whatGenieRejectsIsRejectedWithItsPathAndGeniesReason(String name, String json, String message) {
        if (message == null) {
            assertThatThrownBy(() -> GenieConfig.parse(json)).isInstanceOf(GenieConfigException.class)
                    .hasMessageStartingWith("<document>: is not valid JSON: Unexpected end-of-input");
        } else {
            assertThatThrownBy(() -> GenieConfig.parse(json)).isInstanceOf(GenieConfigException.class)
                    .hasMessage(message);
        }
    }

    static Stream<Arguments> acceptedWithAdvice() {
        return Stream.of(
                arguments("bos -1 (none)", with(SEED, "/dialog/context/bos-token", "-1"), List.of()),
                arguments("bos outside vocabulary", with(SEED, "/dialog/context/bos-token", "151936"),
                        List.of("dialog.context.bos-token: token 151936 is not in the vocabulary [0, 151936)")),
                arguments("eos list element outside vocabulary", with(HTP, "/dialog/context/eos-token",
                                "[151645, 200000]"),
                        List.of("dialog.context.eos-token[1]: token 200000 is not in the vocabulary [0, 151936)")),
                arguments("empty eos list", with(HTP, "/dialog/context/eos-token", "[]"),
                        List.of("dialog.context.eos-token: names no token, so no token ends generation")),
                arguments("empty stop sequence", with(HTP, "/dialog/stop-sequence", "[\"\"]"),
                        List.of("dialog.stop-sequence[0]: an empty stop sequence stops nothing")),
                arguments("top-p zero", with(SEED, "/dialog/sampler/top-p", "0.0"),
                        List.of("dialog.sampler.top-p: 0.0 is outside (0, 1]")),
                arguments("negative temperature", with(SEED, "/dialog/sampler/temp", "-0.1"),
                        List.of("dialog.sampler.temp: a negative temperature -0.1 has no meaning")),
                arguments("unknown sampler type", with(SEED, "/dialog/sampler/type", "\"beam\""),
                        List.of("dialog.sampler.type: \"beam\" is neither basic nor custom")),
                arguments("embedding size vs context n-embd", with(HTP, "/dialog/context/n-embd", "768"),
                        List.of("dialog.embedding.size: 896 differs from dialog.context.n-embd (768); Genie uses the"
                                + " embedding size")),
                arguments("heads not divisible", with(SEED, "/dialog/engine/backend/QnnGenAiTransformer/n-heads",
                                "15"),
                        List.of("dialog.engine.backend.QnnGenAiTransformer.n-heads: 15 is not a multiple of"
                                + " n-kv-heads (2)")),
                arguments("cpu-mask not hexadecimal", with(HTP, "/dialog/engine/backend/QnnHtp/cpu-mask", "\"e0\""),
                        List.of("dialog.engine.backend.QnnHtp.cpu-mask: \"e0\" is not a hexadecimal mask such as"
                                + " \"0xe0\"")),
                arguments("zero threads", with(SEED, "/dialog/engine/n-threads", "0"),
                        List.of("dialog.engine.n-threads: is 0; Genie needs at least one thread")),
                arguments("empty ctx-bins", with(QWEN, "/dialog/engine/model/binary/ctx-bins", "[]"),
                        List.of("dialog.engine.model.binary.ctx-bins: names no context binary")),
                arguments("debug block", with(SEED, "/dialog/debug", "{\"path\": \"dbg\", \"dump-specs\": true}"),
                        List.of()),
                arguments("accumulator-size", with(SEED, "/dialog/accumulator-size", "400000"), List.of()),
                arguments("draft-n-vocab", with(SEED, "/dialog/context/draft-n-vocab", "32000"), List.of()),
                arguments("a stray multistream block (Genie ignores it)", with(SEED, "/dialog/multistream",
                        "{\"version\": 1, \"n-streams\": 2}"), List.of()),
                arguments("keydiff with an extra key (Genie lets it pass)", with(HTP, "/dialog/engine/longcontext",
                        "{\"version\": 1, \"type\": \"keydiff\", \"keydiff\": {\"version\": 1, \"scoring-network\":"
                                + " \"s.bin\", \"update-frequency\": 64, \"note\": 1}}"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("acceptedWithAdvice")
    void adviceGenieDoesNotEnforceIsAWarningNeverARejection(String name, String json, List<String> warnings) {
        GenieConfig config = GenieConfig.parse(json);
        assertThat(config.warnings()).containsExactlyElementsOf(warnings);
        assertThat(GenieConfig.parse(config.toJson())).isEqualTo(config);
    }

    @Test
    void anOlderKvShareConfigIsAcceptedAsGenieMovesItsFlag() {
        String json = """
                {"dialog": {"version": 1, "type": "kv-share",
                  "context": {"version": 1, "size": 64, "n-vocab": 100, "bos-token": 1, "eos-token": 2},
                  "tokenizer": {"version": 1, "path": "t.json"},
                  "engine": [
                    {"version": 1, "role": "primary", "n-threads": 1,
                     "backend": {"version": 1, "type": "QnnHtp", "QnnHtp": {"version": 1, "spill-fill-bufsize": 0,
                       "mmap-budget": 0, "use-mmap": false, "cpu-mask": "0x1", "poll": false}},
                     "model": {"version": 1, "type": "binary", "binary": {"version": 1, "ctx-bins": ["a.bin"]}}},
                    {"version": 1, "role": "secondary", "n-threads": 2,
                     "backend": {"version": 1, "type": "QnnGenAiTransformer",
                       "QnnGenAiTransformer": {"version": 1, "enable-in-memory-kv-share": true}},
                     "model": {"version": 1, "type": "library", "library": {"version": 1, "model-bin": "m.bin"}}}]}}
                """;
        GenieConfig config = GenieConfig.parse(json);
        assertThat(config.engines()).hasSize(2);
        assertThat(config.engine().backend().type()).isEqualTo(BackendType.QNN_HTP);
        // kept as written: the flag stays where the file has it
        assertThat(config.json().at("/dialog/engine/1/backend/QnnGenAiTransformer/enable-in-memory-kv-share")
                .asBoolean()).isTrue();
        assertThatThrownBy(() -> GenieConfig.parse(json.replace("\"secondary\"", "\"helper\"")))
                .hasMessageContaining("dialog.engine[1].role: Unknown value: for engine config key: role");
    }

    @Test
    void aRepeatedTopLevelKeyIsRejectedAsGenieDoes() {
        String seed = text(SEED).strip();
        String twice = "{\"dialog\": " + tree(seed).get("dialog") + ", \"dialog\": " + tree(seed).get("dialog") + "}";
        assertThatThrownBy(() -> GenieConfig.parse(twice)).hasMessage("dialog: Multiple dialog config key: \"dialog\"");
    }

    private static com.fasterxml.jackson.databind.JsonNode tree(String json) {
        return Fixtures.tree(json);
    }

    @Test
    void builtConfigsAreCheckedToo() {
        GenieConfig seed = GenieConfig.parse(text(SEED));
        assertThatThrownBy(() -> seed.toBuilder().context(null).tokenizerPath(null).build())
                .hasMessage("dialog.context: Missing dialog field: context; dialog.tokenizer: Missing dialog field:"
                        + " tokenizer");
        assertThat(seed.toBuilder().stopSequence(List.of("ok", "")).build().warnings())
                .containsExactly("dialog.stop-sequence[1]: an empty stop sequence stops nothing");
        assertThatThrownBy(() -> GenieConfig.builder().build())
                .hasMessage("dialog.context: Missing dialog field: context; dialog.tokenizer: Missing dialog field:"
                        + " tokenizer; dialog.engine: Missing dialog field: engine");
        assertThatThrownBy(() -> GenieConfig.builder().lutPath("LUT.bin"))
                .hasMessage("dialog.embedding: is required before it can be edited");
    }
}

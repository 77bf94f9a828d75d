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
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** One failing case, with its exact message, for every rule the config enforces. */
class GenieConfigValidationTest {
    private static final String SEED = "seed-cpu-dialog.json";
    private static final String HTP = "fastvlm-htp-lut.json";
    private static final String QWEN = "qwen-htp-six-parts.json";

    static Stream<Arguments> brokenConfigs() {
        return Stream.of(
                // structure: mandatory fields, unknown keys, versions, JSON types
                arguments("missing context size", without(SEED, "/dialog/context/size"),
                        "dialog.context.size: is required"),
                arguments("missing engine", without(SEED, "/dialog/engine"), "dialog.engine: is required"),
                arguments("missing tokenizer path", without(SEED, "/dialog/tokenizer/path"),
                        "dialog.tokenizer.path: is required"),
                arguments("missing QnnHtp poll", without(HTP, "/dialog/engine/backend/QnnHtp/poll"),
                        "dialog.engine.backend.QnnHtp.poll: is required"),
                arguments("missing model-bin", without(SEED, "/dialog/engine/model/library/model-bin"),
                        "dialog.engine.model.library.model-bin: is required"),
                arguments("unknown key", with(HTP, "/dialog/engine/backend/QnnHtp/cpu-affinity", "\"0xe0\""),
                        "dialog.engine.backend.QnnHtp.cpu-affinity: unknown key"),
                arguments("unknown top-level key", with(SEED, "/comment", "\"mine\""), "comment: unknown key"),
                arguments("version 2", with(SEED, "/dialog/sampler/version", "2"),
                        "dialog.sampler.version: must be 1, was 2"),
                arguments("missing version", without(SEED, "/dialog/engine/model/library/version"),
                        "dialog.engine.model.library.version: is required"),
                arguments("cpu-mask as number", with(HTP, "/dialog/engine/backend/QnnHtp/cpu-mask", "224"),
                        "dialog.engine.backend.QnnHtp.cpu-mask: must be a string, was 224"),
                arguments("size as string", with(SEED, "/dialog/context/size", "\"512\""),
                        "dialog.context.size: must be a 32-bit integer, was \"512\""),
                arguments("use-mmap as string", with(HTP, "/dialog/engine/backend/QnnHtp/use-mmap", "\"yes\""),
                        "dialog.engine.backend.QnnHtp.use-mmap: must be true or false, was \"yes\""),
                arguments("stop-sequence not strings", with(HTP, "/dialog/stop-sequence", "[\"a\", 3]"),
                        "dialog.stop-sequence[1]: must be a string, was 3"),
                arguments("context not an object", with(SEED, "/dialog/context", "[]"),
                        "dialog.context: must be an object, was an array"),
                // enumerations
                arguments("dialog type", with(SEED, "/dialog/type", "\"chatty\""),
                        "dialog.type: must be one of basic, ssd-q1, lade, spd, multistream, eaglet, kv-share, was"
                                + " \"chatty\""),
                arguments("backend type", with(SEED, "/dialog/engine/backend/type", "\"QnnDsp\""),
                        "dialog.engine.backend.type: must be one of QnnHtp, QnnGenAiTransformer, QnnGpu, was"
                                + " \"QnnDsp\""),
                arguments("model type", with(SEED, "/dialog/engine/model/type", "\"archive\""),
                        "dialog.engine.model.type: must be one of binary, library, was \"archive\""),
                arguments("embedding datatype", with(SEED, "/dialog/embedding/datatype", "\"float16\""),
                        "dialog.embedding.datatype: must be one of float32, native, ufixed8, ufixed16, sfixed8,"
                                + " sfixed16, was \"float16\""),
                arguments("embedding type", with(SEED, "/dialog/embedding/type", "\"table\""),
                        "dialog.embedding.type: must be one of lut, callback, was \"table\""),
                arguments("sampler type", with(SEED, "/dialog/sampler/type", "\"beam\""),
                        "dialog.sampler.type: must be one of basic, custom, was \"beam\""),
                arguments("positional-encoding type", with(HTP,
                                "/dialog/engine/model/positional-encoding/type", "\"learned\""),
                        "dialog.engine.model.positional-encoding.type: must be one of rope, absolute, alibi, was"
                                + " \"learned\""),
                // values
                arguments("embedding size vs context n-embd", with(HTP, "/dialog/context/n-embd", "768"),
                        "dialog.embedding.size: must equal dialog.context.n-embd (768), was 896"),
                arguments("CPU n-embd vs embedding size", with(SEED,
                                "/dialog/engine/backend/QnnGenAiTransformer/n-embd", "768"),
                        "dialog.engine.backend.QnnGenAiTransformer.n-embd: must equal dialog.embedding.size (896),"
                                + " was 768"),
                arguments("heads not divisible", with(SEED,
                                "/dialog/engine/backend/QnnGenAiTransformer/n-heads", "15"),
                        "dialog.engine.backend.QnnGenAiTransformer.n-heads: must be divisible by n-kv-heads (2),"
                                + " was 15"),
                arguments("zero kv heads", with(SEED,
                                "/dialog/engine/backend/QnnGenAiTransformer/n-kv-heads", "0"),
                        "dialog.engine.backend.QnnGenAiTransformer.n-kv-heads: must be > 0, was 0"),
                arguments("top-p above 1", with(SEED, "/dialog/sampler/top-p", "1.01"),
                        "dialog.sampler.top-p: must be in (0, 1], was 1.01"),
                arguments("top-p zero", with(SEED, "/dialog/sampler/top-p", "0"),
                        "dialog.sampler.top-p: must be in (0, 1], was 0.0"),
                arguments("negative temperature", with(SEED, "/dialog/sampler/temp", "-0.1"),
                        "dialog.sampler.temp: must be a finite number >= 0, was -0.1"),
                arguments("top-k zero", with(SEED, "/dialog/sampler/top-k", "0"),
                        "dialog.sampler.top-k: must be >= 1, was 0"),
                arguments("positional-encoding with pos-id-dim", with(HTP,
                                "/dialog/engine/backend/QnnHtp/pos-id-dim", "64"),
                        "dialog.engine.model.positional-encoding: cannot be combined with"
                                + " dialog.engine.backend.QnnHtp.pos-id-dim"),
                arguments("positional-encoding with rope-theta", with(HTP,
                                "/dialog/engine/backend/QnnHtp/rope-theta", "1000000"),
                        "dialog.engine.model.positional-encoding: cannot be combined with"
                                + " dialog.engine.backend.QnnHtp.rope-theta"),
                arguments("bos outside vocabulary", with(SEED, "/dialog/context/bos-token", "151936"),
                        "dialog.context.bos-token: must be a token of the vocabulary [0, 151936), was 151936"),
                arguments("eos list element outside vocabulary", with(HTP, "/dialog/context/eos-token",
                                "[151645, 200000]"),
                        "dialog.context.eos-token[1]: must be a token of the vocabulary [0, 151936), was 200000"),
                arguments("negative pad", with(SEED, "/dialog/context/pad-token", "-1"),
                        "dialog.context.pad-token: must be a token of the vocabulary [0, 151936), was -1"),
                arguments("eot outside vocabulary", with(QWEN, "/dialog/context/eot-token", "152064"),
                        "dialog.context.eot-token: must be a token of the vocabulary [0, 152064), was 152064"),
                arguments("empty eos list", with(HTP, "/dialog/context/eos-token", "[]"),
                        "dialog.context.eos-token: must name at least one token"),
                arguments("zero context", with(SEED, "/dialog/context/size", "0"),
                        "dialog.context.size: must be > 0, was 0"),
                arguments("negative max-num-tokens", with(SEED, "/dialog/max-num-tokens", "-1"),
                        "dialog.max-num-tokens: must be >= 0, was -1"),
                arguments("empty stop sequence", with(HTP, "/dialog/stop-sequence", "[\"\"]"),
                        "dialog.stop-sequence[0]: must not be empty"),
                arguments("cpu-mask not hexadecimal", with(HTP, "/dialog/engine/backend/QnnHtp/cpu-mask", "\"e0\""),
                        "dialog.engine.backend.QnnHtp.cpu-mask: must be a hexadecimal mask such as \"0xe0\", was"
                                + " \"e0\""),
                arguments("negative spill-fill", with(HTP, "/dialog/engine/backend/QnnHtp/spill-fill-bufsize", "-5"),
                        "dialog.engine.backend.QnnHtp.spill-fill-bufsize: must be >= 0, was -5"),
                arguments("negative mmap budget", with(HTP, "/dialog/engine/backend/QnnHtp/mmap-budget", "-1"),
                        "dialog.engine.backend.QnnHtp.mmap-budget: must be >= 0, was -1"),
                arguments("shared engine without async init", with(HTP,
                                "/dialog/engine/backend/QnnHtp/shared-engine", "true"),
                        "dialog.engine.backend.QnnHtp.shared-engine: needs allow-async-init true"),
                arguments("unknown lora policy", with(HTP,
                                "/dialog/engine/backend/QnnHtp/graph-switching-lora-policy", "\"never\""),
                        "dialog.engine.backend.QnnHtp.graph-switching-lora-policy: must be lazy or eager, was"
                                + " \"never\""),
                arguments("lazy lora without graph switching", with(HTP,
                                "/dialog/engine/backend/QnnHtp/graph-switching-lora-policy", "\"lazy\""),
                        "dialog.engine.backend.QnnHtp.graph-switching-lora-policy: lazy needs enable-graph-switching"
                                + " true"),
                arguments("lora not an object", with(QWEN, "/dialog/engine/model/binary/lora", "[]"),
                        "dialog.engine.model.binary.lora: must be an object, was an array"),
                arguments("CPU shared-engine as text", with(SEED,
                                "/dialog/engine/backend/QnnGenAiTransformer/shared-engine", "\"no\""),
                        "dialog.engine.backend.QnnGenAiTransformer.shared-engine: must be true or false, was \"no\""),
                arguments("zero threads", with(SEED, "/dialog/engine/n-threads", "0"),
                        "dialog.engine.n-threads: must be > 0, was 0"),
                arguments("lut without lut-path", without(HTP, "/dialog/embedding/lut-path"),
                        "dialog.embedding.lut-path: is required when type is lut"),
                arguments("lut-path without lut", with(SEED, "/dialog/embedding/lut-path", "\"LUT.bin\""),
                        "dialog.embedding.lut-path: is only allowed when type is lut"),
                arguments("quant-param scale zero", with(SEED, "/dialog/embedding/quant-param",
                                "{\"scale\": 0, \"offset\": 0}"),
                        "dialog.embedding.quant-param.scale: must be a finite number > 0, was 0.0"),
                arguments("embedding size zero", with(SEED, "/dialog/embedding/size", "0"),
                        "dialog.embedding.size: must be > 0, was 0; dialog.engine.backend.QnnGenAiTransformer.n-embd:"
                                + " must equal dialog.embedding.size (0), was 896"),
                // blocks that must match their type
                arguments("QnnHtp type without its block", with(SEED, "/dialog/engine/backend/type", "\"QnnHtp\""),
                        "dialog.engine.backend.QnnHtp: is required when type is QnnHtp; "
                                + "dialog.engine.backend.QnnGenAiTransformer: is not allowed when type is QnnHtp"),
                arguments("binary model without ctx-bins", with(SEED, "/dialog/engine/model/type", "\"binary\""),
                        "dialog.engine.model.binary: is required when type is binary; "
                                + "dialog.engine.model.library: is not allowed when type is binary"),
                arguments("empty ctx-bins", with(QWEN, "/dialog/engine/model/binary/ctx-bins", "[]"),
                        "dialog.engine.model.binary.ctx-bins: must name at least one context binary"),
                arguments("not JSON", "{\"dialog\": ", null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigs")
    void isRejectedWithItsPath(String name, String json, String message) {
        if (message == null) {
            assertThatThrownBy(() -> GenieConfig.parse(json)).isInstanceOf(GenieConfigException.class)
                    .hasMessageStartingWith("<document>: is not valid JSON: Unexpected end-of-input");
        } else {
            assertThatThrownBy(() -> GenieConfig.parse(json)).isInstanceOf(GenieConfigException.class)
                    .hasMessage(message);
        }
    }

    @Test
    void builtConfigsAreCheckedToo() {
        GenieConfig seed = GenieConfig.parse(text(SEED));
        assertThatThrownBy(() -> seed.toBuilder().context(null).tokenizerPath(" ").build())
                .hasMessage("dialog.tokenizer.path: is required; dialog.context: is required");
        assertThatThrownBy(() -> seed.toBuilder().stopSequence(List.of("ok", "")).build())
                .hasMessage("dialog.stop-sequence[1]: must not be empty");
        assertThatThrownBy(() -> GenieConfig.builder().build())
                .hasMessage("dialog.tokenizer.path: is required; dialog.context: is required; dialog.engine: is"
                        + " required");
        assertThatThrownBy(() -> GenieConfig.builder().lutPath("LUT.bin"))
                .hasMessage("dialog.embedding: is required before it can be edited");
    }
}

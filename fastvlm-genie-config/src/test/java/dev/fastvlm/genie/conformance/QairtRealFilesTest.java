package dev.fastvlm.genie.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.genie.config.BackendType;
import dev.fastvlm.genie.config.EngineConfig;
import dev.fastvlm.genie.config.GenieConfig;
import dev.fastvlm.genie.config.GenieConfigException;
import dev.fastvlm.genie.config.HtpBackendExtensions;
import dev.fastvlm.genie.config.HtpBackendExtensions.Core;
import dev.fastvlm.genie.config.HtpBackendExtensions.Device;
import dev.fastvlm.genie.profile.DialogQuery;
import dev.fastvlm.genie.profile.GenieProfile;
import dev.fastvlm.genie.profile.ProfileEvent;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * The project held against real files made by or for Qualcomm's tools
 * ({@code ../shared/fixtures/qairt-real}, provenance in its PROVENANCE.md): every dialog config
 * Genie accepts is accepted, read right and written back without loss; the one Genie's
 * {@code Dialog.cpp} rejects is rejected with Genie's reason; every HTP extension file and Genie
 * profile is read. Skipped, saying why, when the folder is absent.
 */
class QairtRealFilesTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The dialog configs Genie rejects, with the reason it gives. */
    private static final Map<String, String> REJECTED_BY_GENIE = Map.of(
            "genie-config/vlm-on-edge/fastvlm_genie_npu_fp16_embed.json",
            "dialog.embedding.datatype: Unknown embedding datatype: float16");

    @Test
    void everyDialogConfigGenieAcceptsIsAcceptedReadRightAndWrittenBackWithoutLoss() throws IOException {
        List<Path> configs = RealFiles.files("genie-config", ".json");
        assertThat(configs).hasSize(78);
        List<String> accepted = new ArrayList<>();
        for (Path file : configs) {
            String name = RealFiles.name(file);
            if (REJECTED_BY_GENIE.containsKey(name)) {
                continue;
            }
            String text = Files.readString(file);
            GenieConfig config = GenieConfig.read(file);
            JsonNode dialog = MAPPER.readTree(text).get("dialog");
            assertReadRight(name, config, dialog);
            assertThat(MAPPER.readTree(config.toJson())).as(name + " written back").isEqualTo(MAPPER.readTree(text));
            assertThat(GenieConfig.parse(config.toJson())).as(name + " read again").isEqualTo(config);
            accepted.add(name);
        }
        assertThat(accepted).hasSize(77);
    }

    @Test
    void theConfigGenieRejectsIsRejectedWithGeniesReason() {
        for (Map.Entry<String, String> e : REJECTED_BY_GENIE.entrySet()) {
            Path file = RealFiles.dir().resolve(e.getKey());
            assertThatThrownBy(() -> GenieConfig.read(file)).isInstanceOf(GenieConfigException.class)
                    .hasMessage(file + ": " + e.getValue());
        }
    }

    /** The typed views say what the JSON says. */
    private static void assertReadRight(String name, GenieConfig config, JsonNode dialog) {
        assertThat(config.type()).as(name).isEqualTo(dialog.get("type").asText());
        JsonNode context = dialog.get("context");
        assertThat(config.context().size()).as(name).isEqualTo(context.get("size").asInt());
        assertThat(config.context().nVocab()).as(name).isEqualTo(context.get("n-vocab").asInt());
        assertThat(config.context().bosToken()).as(name).isEqualTo(context.get("bos-token").asInt());
        List<Integer> eos = new ArrayList<>();
        if (context.get("eos-token").isArray()) {
            context.get("eos-token").forEach(t -> eos.add(t.asInt()));
        } else {
            eos.add(context.get("eos-token").asInt());
        }
        assertThat(config.context().eosTokens()).as(name).isEqualTo(eos);
        assertThat(config.tokenizerPath()).as(name).isEqualTo(dialog.at("/tokenizer/path").asText());
        assertThat(config.maxNumTokens()).as(name).isEqualTo(dialog.has("max-num-tokens")
                ? dialog.get("max-num-tokens").asInt() : null);
        JsonNode engines = dialog.get("engine");
        List<JsonNode> engineNodes = new ArrayList<>();
        if (engines.isArray()) {
            engines.forEach(engineNodes::add);
        } else {
            engineNodes.add(engines);
        }
        assertThat(config.engines()).as(name).hasSameSizeAs(engineNodes);
        for (int i = 0; i < engineNodes.size(); i++) {
            JsonNode e = engineNodes.get(i);
            EngineConfig engine = config.engines().get(i);
            assertThat(engine.nThreads()).as(name).isEqualTo(e.get("n-threads").asInt());
            assertThat(engine.backend().type().jsonName()).as(name).isEqualTo(e.at("/backend/type").asText());
            if (e.at("/model/type").asText().equals("binary")) {
                List<String> bins = new ArrayList<>();
                e.at("/model/binary/ctx-bins").forEach(b -> bins.add(b.asText()));
                assertThat(engine.model().ctxBins()).as(name).isEqualTo(bins);
            } else {
                assertThat(engine.model().modelBin()).as(name).isEqualTo(e.at("/model/library/model-bin").asText());
            }
        }
        if (dialog.has("embedding")) {
            assertThat(config.embedding().size()).as(name).isEqualTo(dialog.at("/embedding/size").asInt());
            assertThat(config.embedding().datatype() == null ? null : config.embedding().datatype().jsonName())
                    .as(name).isEqualTo(dialog.at("/embedding/datatype").isMissingNode() ? null
                            : dialog.at("/embedding/datatype").asText());
        }
        if (context.get("bos-token").asInt() == -1) {
            assertThat(config.warnings()).as(name + ": -1 means no bos token")
                    .noneMatch(w -> w.startsWith("dialog.context.bos-token"));
        }
    }

    @Test
    void multiEngineDialogsAnswerWithTheirTargetOrPrimaryEngine() {
        GenieConfig spd = GenieConfig.read(RealFiles.dir().resolve(
                "genie-config/qnn-sdk-examples/llama2-7b__llama2-7b-draft-cpu-target-htp-spd.json"));
        assertThat(spd.engines()).hasSize(2);
        assertThat(spd.engine().backend().type()).isEqualTo(BackendType.QNN_HTP);
        GenieConfig kvShare = GenieConfig.read(RealFiles.dir().resolve(
                "genie-config/qnn-sdk-examples/llama2-7b__llama2-7b-genaitransformer-htp-kv-share.json"));
        assertThat(kvShare.engine().backend().type()).isEqualTo(BackendType.QNN_HTP);
        assertThat(kvShare.engines().get(1).backend().type()).isEqualTo(BackendType.QNN_GEN_AI_TRANSFORMER);
        GenieConfig eaglet = GenieConfig.read(RealFiles.dir().resolve(
                "genie-config/qnn-sdk-examples/llama3-3b__llama3-3b-eaglet-htp.json"));
        assertThat(eaglet.json().at("/dialog/engine/0/role").asText()).isEqualTo("target");
        assertThat(eaglet.engine()).isEqualTo(eaglet.engines().get(0));

        GenieConfig moved = eaglet.toBuilder().ctxBins(List.of("/data/local/tmp/t.bin")).build();
        assertThat(moved.engine().model().ctxBins()).containsExactly("/data/local/tmp/t.bin");
        assertThat(moved.engines().get(1)).isEqualTo(eaglet.engines().get(1));
        assertThat(moved.json().at("/dialog/eaglet")).isEqualTo(eaglet.json().at("/dialog/eaglet"));
    }

    @Test
    void everyHtpExtensionFileIsReadInItsOwnFormAndWrittenBackWithoutLoss() throws IOException {
        List<Path> files = RealFiles.files("htp-ext", ".json");
        assertThat(files).hasSize(6);
        Core burst = new Core(0, "burst", 100);
        Map<String, Device> expected = Map.of(
                "htp-ext/ai-hub-apps_ChatApp_79ca0d87_qualcomm-snapdragon-8-elite.json",
                new Device(69, "v79", List.of(burst)),
                "htp-ext/ai-hub-apps_ChatApp_qualcomm-snapdragon-8-elite.json", new Device(69, "v79", List.of(burst)),
                "htp-ext/ai-hub-apps_ChatApp_qualcomm-snapdragon-8-gen2.json", new Device(43, "v73", List.of(burst)),
                "htp-ext/ai-hub-apps_ChatApp_qualcomm-snapdragon-8-gen3.json", new Device(57, "v75", List.of(burst)),
                "htp-ext/esw-m25_genie-bundle_htp_backend_ext_config.json",
                new Device(null, null, List.of(new Core(null, "burst", 100))),
                "htp-ext/qnn-sdk-examples_htp_backend_ext_config.json",
                new Device(null, null, List.of(new Core(null, "burst", 100))));
        for (Path file : files) {
            String name = RealFiles.name(file);
            HtpBackendExtensions ext = HtpBackendExtensions.read(file);
            assertThat(ext.devices()).as(name).containsExactly(expected.get(name));
            assertThat(ext.warnings()).as(name).isEmpty();
            if (name.contains("ChatApp")) {
                assertThat(ext.shareResources()).as(name).isTrue();
                assertThat(ext.memType()).as(name).isEqualTo("shared_buffer");
            }
            assertThat(MAPPER.readTree(ext.toJson())).as(name).isEqualTo(MAPPER.readTree(Files.readString(file)));
        }
    }

    @Test
    void qualcommsExtensionTemplatesAreNotJsonAndAreRejectedNamingTheFile() {
        List<Path> templates = RealFiles.files("htp-ext", ".json.template");
        assertThat(templates).hasSize(2);
        for (Path template : templates) {
            assertThatThrownBy(() -> HtpBackendExtensions.read(template)).isInstanceOf(GenieConfigException.class)
                    .hasMessageStartingWith(template + ": <document>: is not valid JSON");
        }
    }

    @Test
    void realProfilesAreReadWithEveryEventKept() {
        GenieProfile qidk = GenieProfile.read(RealFiles.dir().resolve("profile/esw-m25_genie-bundle_genie_profile.txt"));
        assertThat(qidk.dialogCreate().orElseThrow().initTimeMicros()).isEqualTo(2_870_586);
        DialogQuery q = qidk.lastQuery().orElseThrow();
        assertThat(q.promptTokens()).isEqualTo(21);
        assertThat(q.generatedTokens()).isEqualTo(433);
        assertThat(q.tokensPerSecond()).isCloseTo(20.2852, within(1e-4));
        assertThat(q.timeToFirstTokenMicros()).isEqualTo(89_485);
        assertThat(q.generationTimeMicros()).isEqualTo(21_345_771);
        ProfileEvent free = qidk.components().get(0).events().get(2);
        assertThat(free.type()).isEqualTo("GenieDialog_free");
        assertThat(free.duration()).isEqualTo(84_922);
        assertThat(free.metrics()).isEmpty();

        GenieProfile phone = GenieProfile.read(RealFiles.dir().resolve("profile/llama32-1b-gqa_sm8750_perf.json"));
        DialogQuery p = phone.lastQuery().orElseThrow();
        assertThat(p.promptTokens()).isEqualTo(823);
        assertThat(p.promptTokensPerSecond()).isCloseTo(1547.9877, within(1e-4));
        assertThat(p.timeToFirstTokenMicros()).isEqualTo(531_665);
        assertThat(p.generatedTokens()).isEqualTo(200);
        assertThat(phone.components().get(0).events()).extracting(ProfileEvent::type)
                .containsExactly("GenieDialog_create", "GenieDialog_query", "GenieDialog_free");
    }
}

package dev.fastvlm.genie.profile;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenieProfileTest {

    private static String fixture(String name) {
        try (InputStream in = GenieProfileTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void readsInitTimeAndQueryMetrics() {
        GenieProfile profile = GenieProfile.parse(fixture("fastvlm-cpu-run.json"));
        assertThat(profile.dialogCreate()).contains(new DialogCreate(1_843_210));
        assertThat(profile.queries()).containsExactly(new DialogQuery(276, 1311.79, 210_400, 128, 21.35,
                5_995_316));
        assertThat(profile.lastQuery()).isEqualTo(profile.queries().stream().findFirst());
        assertThat(profile.components()).singleElement().satisfies(c -> {
            assertThat(c.type()).isEqualTo("dialog");
            assertThat(c.events()).extracting(ProfileEvent::type)
                    .containsExactly("GenieDialog_create", "GenieDialog_query", "GenieDialog_free");
            assertThat(c.events().get(1).duration()).isEqualTo(6_205_716L);
            assertThat(c.events().get(1).metric("token-generation-rate"))
                    .contains(new ProfileMetric(21.35, "toks/sec"));
        });
    }

    @Test
    void unknownEventsAndMetricsAreKeptButIgnoredAndTimeUnitsAreConverted() {
        GenieProfile profile = GenieProfile.parse(fixture("with-unknown-events.json"));
        assertThat(profile.dialogCreate()).contains(new DialogCreate(2_500_000));
        assertThat(profile.queries()).containsExactly(
                new DialogQuery(40, 400.0, 100_000, 9, 10.0, 900_000),
                new DialogQuery(12, 600.0, 20_000, 4, 8.0, 500_000));
        assertThat(profile.lastQuery()).contains(new DialogQuery(12, 600.0, 20_000, 4, 8.0, 500_000));
        assertThat(profile.components()).extracting(ProfileComponent::type).containsExactly("embedding", "dialog");
        assertThat(profile.components().get(1).events().get(2).metric("kv-cache-bytes"))
                .contains(new ProfileMetric(12_582_912, "B"));
        assertThat(profile.components().get(1).events().get(1).metrics()).isEmpty();
    }

    @Test
    void everyUnitAndMetricGeniesProfilerWritesIsReadAndKept() {
        String json = """
                {"header": {"artifact_type": "GENIE_PROFILE"}, "components": [
                  {"name": "dialog0", "type": "dialog", "events": [
                    {"type": "GenieDialog_applyLora", "duration": 5, "start": 0, "stop": 5,
                     "lora-adapter-switching-time": {"value": 4, "unit": "us"}},
                    {"type": "GenieDialog_getEngine", "duration": 2, "start": 5, "stop": 7,
                     "getEngine-time": {"value": 2, "unit": "us"}},
                    {"type": "GenieDialog_bindEngine", "duration": 3, "start": 7, "stop": 10,
                     "bindEngine-time": {"value": 3, "unit": "us"}},
                    {"type": "GenieDialog_query", "duration": 90, "start": 10, "stop": 100,
                     "num-prompt-tokens": {"value": 7, "unit": ""},
                     "prompt-processing-rate": {"value": 70.5, "unit": "toks/sec"},
                     "time-to-first-token": {"value": 10, "unit": "us"},
                     "num-generated-tokens": {"value": 3, "unit": ""},
                     "token-generation-rate": {"value": 37.5, "unit": "toks/sec"},
                     "token-generation-time": {"value": 80, "unit": "us"},
                     "apply-engine-state": {"value": 6, "unit": "us"},
                     "token-acceptance-rate": {"value": 2.25, "unit": "toks/iteration"},
                     "kv-bytes": {"value": 4096, "unit": "bytes"},
                     "npu-cycles": {"value": 123456, "unit": "cycles"},
                     "fan-speed": {"value": 3, "unit": "rpm"}},
                    {"type": "GenieDialog_free", "duration": 1, "start": 100, "stop": 101}]}]}
                """;
        GenieProfile profile = GenieProfile.parse(json);
        assertThat(profile.lastQuery()).contains(new DialogQuery(7, 70.5, 10, 3, 37.5, 80));
        List<ProfileEvent> events = profile.components().get(0).events();
        assertThat(events).extracting(ProfileEvent::type).containsExactly("GenieDialog_applyLora",
                "GenieDialog_getEngine", "GenieDialog_bindEngine", "GenieDialog_query", "GenieDialog_free");
        assertThat(events).extracting(ProfileEvent::type).allMatch(ProfileEvent.GENIE_TYPES::contains);
        assertThat(events.get(0).metric("lora-adapter-switching-time")).contains(new ProfileMetric(4, "us"));
        assertThat(events.get(1).metric("getEngine-time")).contains(new ProfileMetric(2, "us"));
        assertThat(events.get(2).metric("bindEngine-time")).contains(new ProfileMetric(3, "us"));
        ProfileEvent query = events.get(3);
        assertThat(query.metric("apply-engine-state")).contains(new ProfileMetric(6, "us"));
        assertThat(query.metric("token-acceptance-rate")).contains(new ProfileMetric(2.25, "toks/iteration"));
        assertThat(query.metric("kv-bytes")).contains(new ProfileMetric(4096, "bytes"));
        assertThat(query.metric("npu-cycles")).contains(new ProfileMetric(123_456, "cycles"));
        assertThat(query.metrics().values().stream().filter(m -> !m.genieUnit()))
                .containsExactly(new ProfileMetric(3, "rpm"));
        assertThat(events.get(4).metrics()).isEmpty();
        assertThat(ProfileMetric.UNITS).containsExactly("", "us", "bytes", "cycles", "toks/sec", "toks/iteration");
    }

    @Test
    void aProfileWithoutDialogEventsHasNoMetrics() {
        GenieProfile profile = GenieProfile.parse("{\"components\": [{\"name\": \"e\", \"type\": \"engine\","
                + " \"events\": []}]}");
        assertThat(profile.dialogCreate()).isEmpty();
        assertThat(profile.lastQuery()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing ttft|\"time-to-first-token\": {\"value\": 210400, \"unit\": \"us\"},||"
                    + "Genie profile: components[0].events[1].time-to-first-token: is required in a GenieDialog_query"
                    + " event",
            "text value|\"value\": 128,|\"value\": \"128\",|"
                    + "Genie profile: components[0].events[1].num-generated-tokens.value: must be a number, was \"128\"",
            "fractional count|\"value\": 276,|\"value\": 276.5,|"
                    + "Genie profile: components[0].events[1].num-prompt-tokens: must be a whole number >= 0, was 276.5",
            "odd time unit|\"value\": 1843210, \"unit\": \"us\"|\"value\": 1843210, \"unit\": \"cycles\"|"
                    + "Genie profile: components[0].events[0].init-time.unit: must be a time unit (us, ms, s, ns),"
                    + " was \"cycles\"",
            "negative rate|\"value\": 21.35|\"value\": -21.35|"
                    + "Genie profile: components[0].events[1].token-generation-rate: must be >= 0, was -21.35",
            "event without type|{\"type\": \"GenieDialog_free\", |{|"
                    + "Genie profile: components[0].events[2].type: is required",
            "events not an array|\"events\": [|\"events\": {\"list\": [|"
                    + "Genie profile: is not valid JSON: Unexpected close marker ']': expected '}' at line 22, column 3",
            "other artifact|\"GENIE_PROFILE\"|\"QNN_PROFILE\"|"
                    + "Genie profile: header.artifact_type: must be GENIE_PROFILE, was \"QNN_PROFILE\"",
            "no components|\"components\"|\"parts\"|Genie profile: components: is required"})
    void malformedProfilesAreNamed(String name, String find, String replace, String message) {
        String original = fixture("fastvlm-cpu-run.json");
        String json = original.replace(find, replace == null ? "" : replace);
        assertThat(json).as("edit applies").isNotEqualTo(original);
        assertThatThrownBy(() -> GenieProfile.parse(json)).isInstanceOf(GenieProfileException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void wrongShapesAreNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> GenieProfile.parse("{\"components\": {}}"))
                .hasMessage("Genie profile: components: must be an array, was an object");
        assertThatThrownBy(() -> GenieProfile.parse("{\"components\": [{\"events\": [3]}]}"))
                .hasMessage("Genie profile: components[0].events[0]: must be an object, was 3");
        assertThatThrownBy(() -> GenieProfile.parse("{\"components\": [{\"name\": \"d\"}]}"))
                .hasMessage("Genie profile: components[0].events: is required");
        assertThatThrownBy(() -> GenieProfile.parse("")).hasMessage("Genie profile: is empty");
        Path file = Files.writeString(dir.resolve("profile.json"), "{\"components\": 1}");
        assertThatThrownBy(() -> GenieProfile.read(file))
                .hasMessage(file + ": components: must be an array, was 1");
        assertThat(GenieProfile.read(Files.writeString(dir.resolve("ok.json"), fixture("fastvlm-cpu-run.json")))
                .lastQuery()).isPresent();
    }
}

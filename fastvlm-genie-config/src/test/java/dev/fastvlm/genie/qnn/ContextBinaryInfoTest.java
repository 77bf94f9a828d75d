package dev.fastvlm.genie.qnn;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.ModelArtifactException;
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
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ContextBinaryInfoTest {

    private static String fixture(String name) {
        try (InputStream in = ContextBinaryInfoTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void visionEncoderOutputGivesWhatTheSeedHardCodes() {
        ContextBinaryInfo info = ContextBinaryInfo.parse(fixture("vision-uint8.json"));
        QnnGraph graph = info.singleGraph();
        assertThat(graph.name()).isEqualTo("fastvlm_vision_encoder");
        assertThat(graph.onlyInput()).isEqualTo(new TensorSpec("pixel_values", QnnDataType.UFIXED_POINT_8,
                List.of(1, 1024, 1024, 3), Optional.of(Quantization.perTensor(0.003921568859368563f, 0))));

        TensorSpec vision = graph.onlyOutput();
        assertThat(vision.dataType()).isEqualTo(QnnDataType.UFIXED_POINT_8);
        assertThat(vision.rows()).isEqualTo(256);
        assertThat(vision.innermost()).isEqualTo(896);
        assertThat(vision.quantization()).contains(Quantization.perTensor(0.0512f, -131));
        assertThat(vision.nativeOutputFileName()).isEqualTo("image_features_native.raw");
        assertThat(graph.output("image_features")).isSameAs(vision);
    }

    @Test
    void textEmbedderGivesInputLengthAndOutputWidth() {
        QnnGraph embedder = ContextBinaryInfo.parse(fixture("embedder-fp32.json")).singleGraph();
        assertThat(embedder.onlyInput().dataType()).isEqualTo(QnnDataType.INT_32);
        assertThat(embedder.onlyInput().innermost()).isEqualTo(512);
        assertThat(embedder.onlyOutput().dimensions()).containsExactly(1, 512, 896);
        assertThat(embedder.onlyOutput().quantization()).isEmpty();
        assertThat(embedder.onlyOutput().nativeOutputFileName()).isEqualTo("output_0.raw");
    }

    @ParameterizedTest
    @CsvSource({
            "vision-uint16.json, QNN_DATATYPE_UFIXED_POINT_16, 0.000213, -32768, 2",
            "vision-int8.json, QNN_DATATYPE_SFIXED_POINT_8, 0.0625, 0, 1"})
    void fixedPointOutputsCarryScaleAndOffset(String file, String type, float scale, int offset, int bytes) {
        TensorSpec out = ContextBinaryInfo.parse(fixture(file)).singleGraph().onlyOutput();
        assertThat(out.dataType().qnnName()).isEqualTo(type);
        assertThat(out.quantization()).contains(Quantization.perTensor(scale, offset));
        assertThat(out.byteSize()).isEqualTo(256L * 896 * bytes);
    }

    @Test
    void floatOutputsHaveNoQuantization() {
        QnnGraph graph = ContextBinaryInfo.parse(fixture("vision-fp16.json")).singleGraph();
        assertThat(graph.onlyOutput().dataType()).isEqualTo(QnnDataType.FLOAT_16);
        assertThat(graph.onlyOutput().quantization()).isEmpty();
        assertThat(graph.onlyOutput().byteSize()).isEqualTo(256L * 896 * 2);
        assertThat(graph.onlyOutput().nativeOutputFileName()).isEqualTo("image_features_native.raw");
    }

    @Test
    void perAxisEncodingsBecomePerAxisQuantization() {
        TensorSpec y = ContextBinaryInfo.parse(fixture("per-axis.json")).singleGraph().onlyOutput();
        assertThat(y.quantization()).contains(new Quantization.PerAxis(2, new float[] {0.5f, 0.25f, 0.125f},
                new int[] {-128, -120, 0}));
    }

    @Test
    void severalGraphsAreFoundByName() {
        ContextBinaryInfo info = ContextBinaryInfo.parse(fixture("two-graphs.json"));
        assertThat(info.graph("decode").input("position_ids").dataType()).isEqualTo(QnnDataType.INT_32);
        assertThatThrownBy(info::singleGraph).isInstanceOf(ModelArtifactException.class)
                .hasMessage("the context binary has 2 graphs, expected one: prefill, decode");
        assertThatThrownBy(() -> info.graph("encode"))
                .hasMessage("the context binary has no graph named \"encode\"; its graphs: prefill, decode");
        assertThatThrownBy(() -> info.graph("decode").onlyInput())
                .hasMessage("graph decode has 2 inputs, expected exactly one: inputs_embeds, position_ids");
        assertThatThrownBy(() -> info.graph("decode").output("hidden"))
                .hasMessage("graph decode has no output named \"hidden\"; its outputs: logits");
    }

    @ParameterizedTest
    @CsvSource({"vision-uint8.json", "vision-uint16.json", "vision-int8.json", "vision-fp16.json",
            "embedder-fp32.json", "per-axis.json", "two-graphs.json"})
    void writerProducesTheLayoutTheReaderReads(String file) throws IOException {
        ContextBinaryInfo info = ContextBinaryInfo.parse(fixture(file));
        String written = info.toJson();
        assertThat(ContextBinaryInfo.parse(written)).isEqualTo(info);
        var tree = new ObjectMapper().readTree(written);
        assertThat(tree.at("/info/graphs/0/info/graphOutputs/0/info/name").asText())
                .isEqualTo(info.graphs().get(0).outputs().get(0).name());
    }

    @Test
    void seedPathReadsTheWrittenScale() throws IOException {
        var tree = new ObjectMapper().readTree(ContextBinaryInfo.parse(fixture("vision-uint8.json")).toJson());
        assertThat(tree.at("/info/graphs/0/info/graphOutputs/0/info/quantizeParams/scaleOffset/scale").floatValue())
                .isEqualTo(0.0512f);
        assertThat(tree.at("/info/graphs/0/info/graphOutputs/0/info/quantizeParams/scaleOffset/offset").intValue())
                .isEqualTo(-131);
    }

    @Test
    void readNamesTheFile(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("vision.json"), fixture("vision-fp16.json")
                .replace("\"graphName\"", "\"name\""));
        assertThatThrownBy(() -> ContextBinaryInfo.read(file)).isInstanceOf(ModelArtifactException.class)
                .hasMessage(file + ": info.graphs[0].info.graphName: is required");
        assertThat(ContextBinaryInfo.read(Files.writeString(dir.resolve("ok.json"), fixture("vision-fp16.json")))
                .singleGraph().name()).isEqualTo("vision_fp16");
        assertThatThrownBy(() -> ContextBinaryInfo.read(dir.resolve("missing.json")))
                .hasMessageStartingWith(dir.resolve("missing.json") + ": cannot be read: ");
    }

    private static final String OUT = "/info/graphs/0/info/graphOutputs/0/info";
    private static final String OUT_PATH = "context binary info: info.graphs[0].info.graphOutputs[0].info";

    /** {@code file} with the value at {@code pointer} replaced by {@code json}, or removed when it is null. */
    private static String edit(String file, String pointer, String json) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        var root = mapper.readTree(fixture(file));
        JsonPointer p = JsonPointer.compile(pointer);
        if (root.at(p.head()) instanceof ArrayNode array) {
            array.set(p.last().getMatchingIndex(), mapper.readTree(json));
            return root.toString();
        }
        ObjectNode parent = (ObjectNode) root.at(p.head());
        assertThat(parent.has(p.last().getMatchingProperty()) || json != null).as("edit applies").isTrue();
        if (json == null) {
            parent.remove(p.last().getMatchingProperty());
        } else {
            parent.set(p.last().getMatchingProperty(), mapper.readTree(json));
        }
        return root.toString();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "missing quantizeParams|vision-uint8.json|" + OUT + "/quantizeParams|NULL|"
                    + OUT_PATH + ".quantizeParams: is required",
            "missing scale|vision-int8.json|" + OUT + "/quantizeParams/scaleOffset/scale|NULL|"
                    + OUT_PATH + ".quantizeParams.scaleOffset.scale: is required",
            "scale as text|vision-int8.json|" + OUT + "/quantizeParams/scaleOffset/scale|'\"0.1\"'|"
                    + OUT_PATH + ".quantizeParams.scaleOffset.scale: must be a number, was \"0.1\"",
            "zero scale|vision-int8.json|" + OUT + "/quantizeParams/scaleOffset/scale|0|"
                    + OUT_PATH + ".quantizeParams: quantization scale must be a finite number > 0, was 0.0",
            "undefined quantization|vision-int8.json|" + OUT + "/quantizeParams/definition|"
                    + "'\"QNN_DEFINITION_UNDEFINED\"'|" + OUT_PATH + ".quantizeParams.definition:"
                    + " QNN_DATATYPE_SFIXED_POINT_8 needs defined quantization parameters, was"
                    + " \"QNN_DEFINITION_UNDEFINED\"",
            "block encoding|vision-uint16.json|" + OUT + "/quantizeParams/quantizationEncoding|"
                    + "'\"QNN_QUANTIZATION_ENCODING_BLOCKWISE_EXPANSION\"'|" + OUT_PATH
                    + ".quantizeParams.quantizationEncoding: \"QNN_QUANTIZATION_ENCODING_BLOCKWISE_EXPANSION\" is not"
                    + " supported; supported: QNN_QUANTIZATION_ENCODING_SCALE_OFFSET,"
                    + " QNN_QUANTIZATION_ENCODING_AXIS_SCALE_OFFSET",
            "unknown dataType|vision-fp16.json|" + OUT + "/dataType|'\"QNN_DATATYPE_BOOL_8\"'|"
                    + OUT_PATH + ".dataType: unsupported data type \"QNN_DATATYPE_BOOL_8\"; supported:"
                    + " QNN_DATATYPE_UFIXED_POINT_8, QNN_DATATYPE_UFIXED_POINT_16, QNN_DATATYPE_SFIXED_POINT_8,"
                    + " QNN_DATATYPE_SFIXED_POINT_16, QNN_DATATYPE_UINT_8, QNN_DATATYPE_INT_32, QNN_DATATYPE_UINT_32,"
                    + " QNN_DATATYPE_FLOAT_16, QNN_DATATYPE_FLOAT_32",
            "dataType as number|vision-fp16.json|" + OUT + "/dataType|534|"
                    + OUT_PATH + ".dataType: must be a string, was 534",
            "tensor without info nesting|embedder-fp32.json|/info/graphs/0/info/graphInputs/0|"
                    + "'{\"name\": \"input_ids\", \"dataType\": \"QNN_DATATYPE_INT_32\", \"dimensions\": [1, 512]}'|"
                    + "context binary info: info.graphs[0].info.graphInputs[0].info: is required",
            "graph without info nesting|embedder-fp32.json|/info/graphs/0|'{\"graphName\": \"embed_tokens\"}'|"
                    + "context binary info: info.graphs[0].info: is required",
            "outputs not an array|embedder-fp32.json|/info/graphs/0/info/graphOutputs|'{}'|"
                    + "context binary info: info.graphs[0].info.graphOutputs: must be an array, was an object",
            "missing outputs|embedder-fp32.json|/info/graphs/0/info/graphOutputs|NULL|"
                    + "context binary info: info.graphs[0].info.graphOutputs: is required",
            "dimension zero|embedder-fp32.json|" + OUT + "/dimensions|'[1, 0, 896]'|"
                    + OUT_PATH + ".dimensions[1]: must be a positive integer, was 0",
            "no dimensions|embedder-fp32.json|" + OUT + "/dimensions|'[]'|"
                    + OUT_PATH + ".dimensions: must not be empty",
            "per-axis count mismatch|per-axis.json|" + OUT + "/quantizeParams/axisScaleOffset/numScaleOffsets|4|"
                    + OUT_PATH + ".quantizeParams.axisScaleOffset.numScaleOffsets: says 4 but scaleOffset lists 3",
            "per-axis wrong axis|per-axis.json|" + OUT + "/quantizeParams/axisScaleOffset/axis|1|"
                    + OUT_PATH + ".quantizeParams.axisScaleOffset.scaleOffset: needs one entry per index of axis 1"
                    + " (2), has 3",
            "per-axis axis out of range|per-axis.json|" + OUT + "/quantizeParams/axisScaleOffset/axis|3|"
                    + OUT_PATH + ".quantizeParams.axisScaleOffset.axis: must name one of the 3 dimensions, was 3",
            "per-axis without pairs|per-axis.json|" + OUT + "/quantizeParams/axisScaleOffset/scaleOffset|NULL|"
                    + OUT_PATH + ".quantizeParams.axisScaleOffset.scaleOffset: is required"})
    void malformedInfoIsAClearError(String name, String file, String pointer, String json, String message)
            throws IOException {
        String broken = edit(file, pointer, json);
        assertThatThrownBy(() -> ContextBinaryInfo.parse(broken)).isInstanceOf(ModelArtifactException.class)
                .hasMessage(message);
    }

    @Test
    void allProblemsOfAFileAreReportedTogether() throws IOException {
        String json = edit("vision-fp16.json", "/info/graphs/0/info/graphInputs/0/info/dataType", "\"QNN_X\"")
                .replace("\"dimensions\":[1,256,896]", "\"dimensions\":[1,-256,896]");
        assertThatThrownBy(() -> ContextBinaryInfo.parse(json)).hasMessage("context binary info:"
                + " info.graphs[0].info.graphInputs[0].info.dataType: unsupported data type \"QNN_X\"; supported:"
                + " QNN_DATATYPE_UFIXED_POINT_8, QNN_DATATYPE_UFIXED_POINT_16, QNN_DATATYPE_SFIXED_POINT_8,"
                + " QNN_DATATYPE_SFIXED_POINT_16, QNN_DATATYPE_UINT_8, QNN_DATATYPE_INT_32, QNN_DATATYPE_UINT_32,"
                + " QNN_DATATYPE_FLOAT_16, QNN_DATATYPE_FLOAT_32; info.graphs[0].info.graphOutputs[0].info"
                + ".dimensions[1]: must be a positive integer, was -256");
    }

    @Test
    void wrongTopLevelShapesAreNamed() {
        assertThatThrownBy(() -> ContextBinaryInfo.parse("{\"graphs\": []}"))
                .hasMessage("context binary info: info: is required");
        assertThatThrownBy(() -> ContextBinaryInfo.parse("{\"info\": {\"graphs\": {}}}"))
                .hasMessage("context binary info: info.graphs: must be an array, was an object");
        assertThatThrownBy(() -> ContextBinaryInfo.parse("{\"info\": {\"graphs\": []}}"))
                .hasMessage("context binary info: info.graphs: lists no graphs");
        assertThatThrownBy(() -> ContextBinaryInfo.parse(""))
                .hasMessage("context binary info: is empty");
        assertThatThrownBy(() -> ContextBinaryInfo.parse("[]"))
                .hasMessage("context binary info: <document>: must be an object, was an array");
    }
}

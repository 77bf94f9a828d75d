package dev.fastvlm.cli;

import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class InspectContextCommandTest extends CliTest {
    @TempDir
    Path dir;

    @Test
    void printsEveryGraphsTensorsAsATable() throws IOException {
        ContextBinaryInfo info = new ContextBinaryInfo(List.of(
                new QnnGraph("vision", List.of(new TensorSpec("pixel_values", QnnDataType.UFIXED_POINT_8,
                        List.of(1, 1024, 1024, 3), Optional.of(Quantization.perTensor(0.00390625f, 0)))),
                        List.of(new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, 256, 896),
                                Optional.of(Quantization.perTensor(0.0512f, -131))))),
                new QnnGraph("embed", List.of(new TensorSpec("input_ids", QnnDataType.INT_32, List.of(1, 512),
                        Optional.empty())),
                        List.of(new TensorSpec("output_0", QnnDataType.FLOAT_32, List.of(1, 512, 896), Optional.empty()),
                                new TensorSpec("proj", QnnDataType.SFIXED_POINT_8, List.of(1, 3),
                                        Optional.of(new Quantization.PerAxis(1, new float[] {1f, 2f, 4f},
                                                new int[] {0, 0, 0})))))));
        Path json = Files.writeString(dir.resolve("ctx.json"), info.toJson());

        assertThat(run("inspect-context", "--json", json.toString())).isZero();
        assertThat(out.toString()).isEqualToNormalizingNewlines("""
                graph vision
                  direction name           data type      dimensions    bytes   quantization
                  input     pixel_values   UFIXED_POINT_8 1x1024x1024x3 3145728 scale 0.00390625 offset 0
                  output    image_features UFIXED_POINT_8 1x256x896     229376  scale 0.0512 offset -131
                graph embed
                  direction name      data type      dimensions bytes   quantization
                  input     input_ids INT_32         1x512      2048    -
                  output    output_0  FLOAT_32       1x512x896  1835008 -
                  output    proj      SFIXED_POINT_8 1x3        3       per-axis on axis 1 (3 scales)
                """);
    }

    @Test
    void malformedJsonIsOneLineNamingTheFileAndPath() throws IOException {
        Path json = Files.writeString(dir.resolve("bad.json"), "{\"info\": {\"graphs\": [{\"info\": {}}]}}");
        assertThat(run("inspect-context", "--json", json.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("fastvlm inspect-context: " + json + ": info.graphs[0].info.graphName:"
                + " is required; info.graphs[0].info.graphInputs: is required; info.graphs[0].info.graphOutputs:"
                + " is required" + System.lineSeparator());
    }
}

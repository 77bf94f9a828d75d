package dev.fastvlm.cli;

import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code fastvlm combine} against numpy: the goldens are the seed's step 7 run by
 * fastvlm-core/src/test/scripts/make_embedding_goldens.py (vision uint8 [1, 6, 8] with scale
 * 0.0123456789 and offset -128, text embedder output [1, 16, 8] with 5 real tokens, LUT [50, 8]).
 */
class CombineCommandTest extends CliTest {

    @TempDir
    Path dir;

    @BeforeEach
    void copyGoldens() throws IOException {
        for (String name : List.of("vision_u8.raw", "text_embeds.raw", "lut_f32.raw", "ids.json",
                "combined_prepend.raw", "combined_placeholder.raw", "combined_lut.raw")) {
            try (InputStream in = getClass().getResourceAsStream("combine/" + name)) {
                Files.copy(in, dir.resolve(name));
            }
        }
    }

    private String[] args(String... extra) {
        List<String> args = new ArrayList<>(List.of("combine", "--vision", dir.resolve("vision_u8.raw").toString(),
                "--vision-dtype", "uint8", "--scale", "0.0123456789", "--offset", "-128", "--dims", "1,6,8"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void reproducesTheSeedsStepSevenByteForByte() throws IOException {
        Path result = dir.resolve("combined.raw");
        int code = run(args("--text-embeds", dir.resolve("text_embeds.raw").toString(), "--num-text", "5",
                "--out", result.toString()));
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(result)).isEqualTo(Files.readAllBytes(dir.resolve("combined_prepend.raw")));
        assertThat(out.toString()).contains("11 rows x 8 float32 (6 vision + 5 text), 352 bytes");
    }

    @Test
    void splicesAtThePlaceholder() throws IOException {
        Path result = dir.resolve("combined.raw");
        int code = run(args("--text-embeds", dir.resolve("text_embeds.raw").toString(), "--num-text", "5",
                "--layout", "placeholder", "--image-index", "2", "--out", result.toString()));
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(result)).isEqualTo(Files.readAllBytes(dir.resolve("combined_placeholder.raw")));
    }

    @Test
    void takesTextRowsFromTheLut() throws IOException {
        Path result = dir.resolve("combined.raw");
        int code = run(args("--lut", dir.resolve("lut_f32.raw").toString(), "--ids-json",
                dir.resolve("ids.json").toString(), "--out", result.toString()));
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(result)).isEqualTo(Files.readAllBytes(dir.resolve("combined_lut.raw")));

        Path meta = Files.writeString(dir.resolve("meta.json"), "{\"token_ids\": [3, 0, 49, 7, 7]}");
        Path again = dir.resolve("again.raw");
        assertThat(run(args("--lut", dir.resolve("lut_f32.raw").toString(), "--ids-json", meta.toString(),
                "--out", again.toString()))).isZero();
        assertThat(Files.readAllBytes(again)).isEqualTo(Files.readAllBytes(result));
    }

    @Test
    void badShapesFailWithOneLineNamingTheFileAndLeaveNoOutput() throws IOException {
        Path result = dir.resolve("combined.raw");
        String[] wrongDims = args("--text-embeds", dir.resolve("text_embeds.raw").toString(), "--num-text", "5",
                "--out", result.toString());
        wrongDims[10] = "1,7,8";
        assertThat(run(wrongDims)).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("fastvlm combine: vision output " + dir.resolve("vision_u8.raw")
                + " is 48 bytes, but its dims [1, 7, 8] of QNN_DATATYPE_UFIXED_POINT_8 make 56 bytes"
                + System.lineSeparator());
        assertThat(result).doesNotExist();

        err.getBuffer().setLength(0);
        assertThat(run(args("--text-embeds", dir.resolve("text_embeds.raw").toString(), "--num-text", "17",
                "--out", result.toString()))).isEqualTo(1);
        assertThat(err.toString()).startsWith("fastvlm combine: text embedder output " + dir.resolve("text_embeds.raw")
                + " has 16 rows (dims [1, 16, 8]), but the prompt has 17 text tokens");

        err.getBuffer().setLength(0);
        Path ids = Files.writeString(dir.resolve("bad-ids.json"), "[1, 50]");
        assertThat(run(args("--lut", dir.resolve("lut_f32.raw").toString(), "--ids-json", ids.toString(),
                "--out", result.toString()))).isEqualTo(1);
        assertThat(err.toString()).contains("token id 50 at position 1 is outside LUT");
        assertThat(result).doesNotExist();
    }

    @Test
    void usageErrors() {
        String embeds = dir.resolve("text_embeds.raw").toString();
        String lut = dir.resolve("lut_f32.raw").toString();
        String ids = dir.resolve("ids.json").toString();
        String result = dir.resolve("combined.raw").toString();

        assertThat(run(args("--text-embeds", embeds, "--num-text", "5", "--lut", lut, "--ids-json", ids,
                "--out", result))).isEqualTo(2);
        assertThat(err.toString()).contains("mutually exclusive");

        err.getBuffer().setLength(0);
        assertThat(run("combine", "--vision", embeds, "--vision-dtype", "uint8", "--dims", "1,6,8",
                "--text-embeds", embeds, "--num-text", "5", "--out", result)).isEqualTo(2);
        assertThat(err.toString()).startsWith("fastvlm combine: uint8 needs --scale and --offset");

        err.getBuffer().setLength(0);
        assertThat(run(args("--text-embeds", embeds, "--num-text", "5", "--layout", "placeholder",
                "--out", result))).isEqualTo(2);
        assertThat(err.toString()).startsWith("fastvlm combine: --layout placeholder needs --image-index");
    }

    @Test
    void readsTheVisionQuantizationFromTheContextBinaryInfo() throws IOException {
        TensorSpec output = new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, 6, 8),
                Optional.of(Quantization.perTensor(0.0123456789f, -128)));
        TensorSpec input = new TensorSpec("pixel_values", QnnDataType.UFIXED_POINT_8, List.of(1, 4, 4, 3),
                Optional.of(Quantization.perTensor(1f / 255f, 0)));
        Path info = Files.writeString(dir.resolve("vision.json"),
                new ContextBinaryInfo(List.of(new QnnGraph("vision", List.of(input), List.of(output)))).toJson());
        Path result = dir.resolve("combined.raw");
        String[] common = {"combine", "--vision", dir.resolve("vision_u8.raw").toString(), "--dims", "1,6,8",
            "--text-embeds", dir.resolve("text_embeds.raw").toString(), "--num-text", "5"};
        List<String> fromJson = new ArrayList<>(List.of(common));
        fromJson.addAll(List.of("--context-json", info.toString(), "--out", result.toString()));
        assertThat(run(fromJson.toArray(String[]::new))).as(err.toString()).isZero();
        assertThat(Files.readAllBytes(result)).isEqualTo(Files.readAllBytes(dir.resolve("combined_prepend.raw")));

        List<String> both = new ArrayList<>(fromJson);
        both.addAll(List.of("--vision-dtype", "uint8"));
        assertThat(run(both.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("give either --context-json or --vision-dtype/--scale/--offset, not both");

        List<String> otherDims = new ArrayList<>(fromJson);
        otherDims.set(4, "1,3,16");
        assertThat(run(otherDims.toArray(String[]::new))).isEqualTo(2);
        assertThat(err.toString()).contains("--dims [1, 3, 16] differ from").contains("image_features [1, 6, 8]");
    }
}

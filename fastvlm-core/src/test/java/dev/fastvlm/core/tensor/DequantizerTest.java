package dev.fastvlm.core.tensor;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DequantizerTest {

    @Test
    void matchesNumpyBitForBitOnEveryGoldenCase() throws IOException {
        List<String> cases = cases();
        assertThat(cases).hasSize(8);
        for (String line : cases) {
            String[] f = line.split(" ");
            String name = f[0];
            QnnDataType type = switch (f[1]) {
                case "uint8" -> QnnDataType.UFIXED_POINT_8;
                case "int8" -> QnnDataType.SFIXED_POINT_8;
                case "uint16" -> QnnDataType.UFIXED_POINT_16;
                case "int16" -> QnnDataType.SFIXED_POINT_16;
                default -> throw new IllegalStateException(f[1]);
            };
            List<Integer> dims = Arrays.stream(f[2].split(",")).map(Integer::valueOf).toList();
            Quantization quantization;
            if (f[3].equals("-")) {
                // Like the seed: the scale is a JSON double that numpy casts to float32.
                quantization = Quantization.perTensor((float) Double.parseDouble(f[4]), Integer.parseInt(f[5]));
            } else {
                String[] s = f[4].split(",");
                String[] o = f[5].split(",");
                float[] scales = new float[s.length];
                int[] offsets = new int[o.length];
                for (int i = 0; i < s.length; i++) {
                    scales[i] = (float) Double.parseDouble(s[i]);
                    offsets[i] = Integer.parseInt(o[i]);
                }
                quantization = new Quantization.PerAxis(Integer.parseInt(f[3]), scales, offsets);
            }
            TensorSpec spec = new TensorSpec(name, type, dims, Optional.of(quantization));
            ByteBuffer in = Goldens.read("dequant_" + name + ".in");
            ByteBuffer want = Goldens.read("dequant_" + name + ".out");
            int n = (int) spec.elementCount();
            assertThat(in.remaining()).as(name).isEqualTo(spec.byteSize());

            float[] got = new float[n];
            Dequantizer.of(spec).dequantize(in, 0, 0, got, 0, n);
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(got[i])).as("%s element %d", name, i).isEqualTo(want.getInt(4 * i));
            }

            // Straight to little-endian float32 bytes, after 5 bytes of something else.
            ByteBuffer bytes = ByteBuffer.allocate(5 + 4 * n).order(ByteOrder.BIG_ENDIAN);
            Dequantizer.of(spec).dequantizeToFloat32(in, 0, 0, bytes, 5, n);
            assertThat(bytes.position()).isZero();
            for (int i = 0; i < n; i++) {
                assertThat(Integer.reverseBytes(bytes.getInt(5 + 4 * i))).as("%s bytes %d", name, i)
                        .isEqualTo(want.getInt(4 * i));
            }

            // In pieces at odd offsets, from a big-endian view of the same bytes: same bits.
            float[] pieces = new float[n + 3];
            ByteBuffer bigEndian = in.duplicate().order(ByteOrder.BIG_ENDIAN);
            int width = type.bytes();
            for (int start = 0; start < n; start += 7) {
                int count = Math.min(7, n - start);
                Dequantizer.of(spec).dequantize(bigEndian, start * width, start, pieces, 3 + start, count);
            }
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(pieces[3 + i])).as("%s piecewise %d", name, i)
                        .isEqualTo(want.getInt(4 * i));
            }
        }
    }

    @Test
    void widensFloat16AndPassesFloat32Through() {
        ByteBuffer halves = ByteBuffer.allocate(65536 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int h = 0; h < 65536; h++) {
            halves.putShort(2 * h, (short) h);
        }
        float[] got = new float[65536];
        Dequantizer.of(new TensorSpec("h", QnnDataType.FLOAT_16, List.of(65536), Optional.empty()))
                .dequantize(halves, 0, 0, got, 0, 65536);
        ByteBuffer want = Goldens.read("fp16_to_fp32.bin.gz");
        for (int h = 0; h < 65536; h++) {
            assertThat(Float.floatToRawIntBits(got[h])).as("half %04x", h).isEqualTo(want.getInt(4 * h));
        }

        ByteBuffer floats = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        floats.putFloat(4, 1.5f).putFloat(8, -0f).putFloat(12, Float.NEGATIVE_INFINITY);
        float[] passed = new float[3];
        Dequantizer.of(new TensorSpec("f", QnnDataType.FLOAT_32, List.of(4), Optional.empty()))
                .dequantize(floats, 4, 1, passed, 0, 3);
        assertThat(passed).containsExactly(1.5f, -0f, Float.NEGATIVE_INFINITY);
        assertThat(Float.floatToRawIntBits(passed[1])).isEqualTo(0x8000_0000);

        ByteBuffer widened = ByteBuffer.allocate(4 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        Dequantizer.of(new TensorSpec("h", QnnDataType.FLOAT_16, List.of(65536), Optional.empty()))
                .dequantizeToFloat32(halves, 0, 0, widened, 0, 65536);
        assertThat(widened).isEqualTo(want.rewind());
    }

    @Test
    void rejectsPerAxisParametersThatDoNotFitTheShape() {
        TensorSpec spec = new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, 4, 6),
                Optional.of(new Quantization.PerAxis(2, new float[] {1f, 1f}, new int[] {0, 0})));
        assertThatThrownBy(() -> Dequantizer.of(spec))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessage("tensor image_features: per-axis quantization along axis 2 has 2 channels,"
                        + " but the dimensions are [1, 4, 6]");
    }

    @Test
    void rejectsIntegerTypesWithoutQuantization() {
        TensorSpec spec = new TensorSpec("ids", QnnDataType.INT_32, List.of(4), Optional.empty());
        assertThatThrownBy(() -> Dequantizer.of(spec))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("cannot convert QNN_DATATYPE_INT_32 to float32");
    }

    private static List<String> cases() throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                DequantizerTest.class.getResourceAsStream("dequant_cases.txt"), StandardCharsets.UTF_8))) {
            for (String line; (line = reader.readLine()) != null; ) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }
}

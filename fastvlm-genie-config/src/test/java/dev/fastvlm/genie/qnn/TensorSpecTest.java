package dev.fastvlm.genie.qnn;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TensorSpecTest {

    @Test
    void sizesFollowTheDataType() {
        TensorSpec vision = new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, 256, 896),
                Optional.of(Quantization.perTensor(0.05f, -128)));
        assertThat(vision.elementCount()).isEqualTo(229_376);
        assertThat(vision.byteSize()).isEqualTo(229_376);
        assertThat(vision.innermost()).isEqualTo(896);
        assertThat(vision.nativeOutputFileName()).isEqualTo("image_features_native.raw");

        TensorSpec text = new TensorSpec("output_0", QnnDataType.FLOAT_32, List.of(1, 512, 896), Optional.empty());
        assertThat(text.byteSize()).isEqualTo(512L * 896 * 4);
        assertThat(text.nativeOutputFileName()).isEqualTo("output_0.raw");
    }

    @Test
    void fixedPointNeedsQuantization() {
        assertThatThrownBy(() -> new TensorSpec("x", QnnDataType.UFIXED_POINT_16, List.of(4), Optional.empty()))
                .hasMessage("tensor x: QNN_DATATYPE_UFIXED_POINT_16 needs quantization parameters");
        assertThatThrownBy(() -> new TensorSpec("y", QnnDataType.FLOAT_16, List.of(4),
                Optional.of(Quantization.perTensor(1f, 0))))
                .hasMessage("tensor y: QNN_DATATYPE_FLOAT_16 takes no quantization parameters");
    }

    @Test
    void dimensionsMustBePositive() {
        assertThatThrownBy(() -> new TensorSpec("z", QnnDataType.FLOAT_32, List.of(1, 0), Optional.empty()))
                .hasMessage("tensor z: dimensions must be positive, were [1, 0]");
    }

    @Test
    void qnnNamesRoundTrip() {
        for (QnnDataType type : QnnDataType.values()) {
            assertThat(QnnDataType.fromQnnName(type.qnnName())).contains(type);
        }
        assertThat(QnnDataType.fromQnnName("QNN_DATATYPE_BOOL_8")).isEmpty();
    }

    @Test
    void perAxisNeedsMatchingArraysAndPositiveScales() {
        assertThatThrownBy(() -> new Quantization.PerAxis(0, new float[] {1f, 2f}, new int[] {0}))
                .hasMessageContaining("got 2 scales and 1 offsets");
        assertThatThrownBy(() -> new Quantization.PerAxis(0, new float[] {1f, 0f}, new int[] {0, 0}))
                .hasMessage("quantization scale 1 must be a finite number > 0, was 0.0");
        Quantization.PerAxis q = new Quantization.PerAxis(2, new float[] {0.5f, 0.25f}, new int[] {-3, 4});
        assertThat(q.channels()).isEqualTo(2);
        assertThat(q.scale(1)).isEqualTo(0.25f);
        assertThat(q.offset(0)).isEqualTo(-3);
        assertThat(q).isEqualTo(new Quantization.PerAxis(2, new float[] {0.5f, 0.25f}, new int[] {-3, 4}));
    }
}

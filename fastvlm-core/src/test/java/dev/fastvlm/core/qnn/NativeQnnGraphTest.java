package dev.fastvlm.core.qnn;

import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The QNN binding against the stand-in libQnnHtp.so / libQnnSystem.so and the emulator's context binaries. */
class NativeQnnGraphTest {

    static final int WIDTH = 8;
    static final int SIZE = 1024;
    static final QnnGraph INT8 = new QnnGraph("fastvlm_vision_encoder",
            List.of(new TensorSpec("pixel_values", QnnDataType.UFIXED_POINT_8, List.of(1, SIZE, SIZE, 3),
                    Optional.of(Quantization.perTensor(1f / 255f, 0)))),
            List.of(new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, 256, WIDTH),
                    Optional.of(Quantization.perTensor(1f / 128f, -64)))));
    static final QnnGraph FP16 = new QnnGraph("fastvlm_vision_encoder",
            List.of(new TensorSpec("pixel_values", QnnDataType.FLOAT_32, List.of(1, 3, SIZE, SIZE), Optional.empty())),
            List.of(new TensorSpec("image_features", QnnDataType.FLOAT_16, List.of(1, 256, WIDTH), Optional.empty())));

    @TempDir
    static Path dir;
    static QnnStandIn.Libraries libs;
    static QnnStandIn.HtpCounters htp;
    static QnnStandIn.SystemCounters system;

    @BeforeAll
    static void build() {
        libs = QnnStandIn.build();
        htp = libs.htpCounters();
        system = libs.systemCounters();
    }

    @AfterEach
    void nothingLeaks() {
        assertThat(htp.QnnHtpStandIn_liveHandles()).isZero();
        assertThat(system.QnnSystemStandIn_liveHandles()).isZero();
    }

    @Test
    void readsTheGraphFromTheBinaryAndRunsTheEncoderOnClientBuffers() throws IOException {
        Path binary = QnnStandIn.writeBinary(dir.resolve("int8.bin"), INT8, "VISION_ENCODER", WIDTH);
        int created = htp.QnnHtpStandIn_contextsCreated();
        try (NativeQnnGraph graph = NativeQnnGraph.open(libs.htp(), libs.system(), binary, INT8)) {
            assertThat(graph.graph()).isEqualTo(INT8);
            assertThat(graph.apiVersion()).isEqualTo("2.29.0");
            assertThat(htp.QnnHtpStandIn_liveHandles()).isEqualTo(3);   // backend, device, context
            assertThat(system.QnnSystemStandIn_liveHandles()).isZero();  // freed once the info was read
            // uniform grey 51 (0.2 after 1/255) on the left half, 204 (0.8) on the right
            ByteBuffer pixels = ByteBuffer.allocateDirect(SIZE * SIZE * 3);
            for (int y = 0; y < SIZE; y++) {
                for (int x = 0; x < SIZE; x++) {
                    byte v = (byte) (x < SIZE / 2 ? 51 : 204);
                    pixels.put(v).put(v).put(v);
                }
            }
            for (int run = 0; run < 3; run++) {
                ByteBuffer features = ByteBuffer.allocateDirect(256 * WIDTH);
                graph.execute(List.of(pixels.clear()), List.of(features));
                for (int p = 0; p < 256; p++) {
                    int row = p / 16;
                    int col = p % 16;
                    float grey = col < 8 ? 51 / 255f : 204 / 255f;
                    // q = round(v * 128) + 64 for the output's scale 1/128, offset -64
                    int[] expected = {q(grey), q(grey), q(grey), q(row / 16f), q(col / 16f), q(1f), 64, 64};
                    for (int j = 0; j < WIDTH; j++) {
                        assertThat(features.get(p * WIDTH + j) & 0xff).as("row %d element %d", p, j)
                                .isEqualTo(expected[j]);
                    }
                }
            }
            assertThat(htp.QnnHtpStandIn_contextsCreated()).isEqualTo(created + 1);
        }
    }

    private static int q(float v) {
        return Math.round(v * 128f) + 64;
    }

    @Test
    void fp16EncoderTakesFloatNchwAndWritesHalfFloats() throws IOException {
        Path binary = QnnStandIn.writeBinary(dir.resolve("fp16.bin"), FP16, "VISION_ENCODER", WIDTH);
        try (NativeQnnGraph graph = NativeQnnGraph.open(libs.htp(), libs.system(), binary, FP16)) {
            ByteBuffer pixels = ByteBuffer.allocateDirect(SIZE * SIZE * 3 * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < SIZE * SIZE; i++) {
                    pixels.putFloat(c == 0 ? 1f : c == 1 ? 0.5f : 0f);
                }
            }
            ByteBuffer features = ByteBuffer.allocateDirect(256 * WIDTH * 2).order(ByteOrder.LITTLE_ENDIAN);
            graph.execute(List.of(pixels.clear()), List.of(features));
            short[] expectedRow5 = {0x3c00, 0x3800, 0, 0, 0x3500, 0x3c00, 0, 0};   // 1, 0.5, 0, 0/16, 5/16 = 1.25 * 2^-2, 1
            for (int j = 0; j < WIDTH; j++) {
                assertThat(features.getShort((5 * WIDTH + j) * 2)).as("element %d", j).isEqualTo(expectedRow5[j]);
            }
        }
    }

    @Test
    void aContextInfoThatDisagreesWithTheBinaryIsAClearError() throws IOException {
        Path binary = QnnStandIn.writeBinary(dir.resolve("other.bin"), INT8, "VISION_ENCODER", WIDTH);
        QnnGraph claimed = new QnnGraph(INT8.name(), INT8.inputs(), List.of(new TensorSpec("image_features",
                QnnDataType.UFIXED_POINT_8, List.of(1, 256, WIDTH), Optional.of(Quantization.perTensor(0.5f, 0)))));
        assertThatThrownBy(() -> NativeQnnGraph.open(libs.htp(), libs.system(), binary, claimed))
                .isInstanceOf(ModelArtifactException.class).hasMessageContaining(binary.toString())
                .hasMessageContaining("scale=0.0078125").hasMessageContaining("scale=0.5")
                .hasMessageContaining("does not belong to this binary");
        QnnGraph renamed = new QnnGraph("another_graph", INT8.inputs(), INT8.outputs());
        assertThatThrownBy(() -> NativeQnnGraph.open(libs.htp(), libs.system(), binary, renamed))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("has no graph another_graph; it holds [fastvlm_vision_encoder]");
    }

    @Test
    void qnnErrorsCarryTheirCodeAndName() throws IOException {
        Path damaged = Files.writeString(dir.resolve("damaged.bin"), "not a context binary at all");
        assertThatThrownBy(() -> NativeQnnGraph.open(libs.htp(), libs.system(), damaged, INT8))
                .isInstanceOfSatisfying(QnnException.class, e -> {
                    assertThat(e.code()).isEqualTo(30010);
                    assertThat(e.codeName()).isEqualTo("QNN_SYSTEM_CONTEXT_ERROR_MALFORMED_BINARY");
                    assertThat(e.function()).isEqualTo("systemContextGetMetaData");
                })
                .hasMessageContaining(damaged.toString());
        // the system interface reads it, the backend cannot run it: a text embedder's kind is not executable here
        Path embedder = QnnStandIn.writeBinary(dir.resolve("embedder.bin"), INT8, "TEXT_EMBEDDER", WIDTH);
        try (NativeQnnGraph graph = NativeQnnGraph.open(libs.htp(), libs.system(), embedder, INT8)) {
            assertThatThrownBy(() -> graph.execute(List.of(ByteBuffer.allocateDirect(SIZE * SIZE * 3)),
                    List.of(ByteBuffer.allocateDirect(256 * WIDTH))))
                    .isInstanceOf(QnnException.class)
                    .hasMessage("graphExecute failed with QNN_COMMON_ERROR_NOT_SUPPORTED (1000): fastvlm_vision_encoder");
        }
    }

    @Test
    void buffersOfTheWrongKindOrSizeAreRefusedBeforeQnnSeesThem() throws IOException {
        Path binary = QnnStandIn.writeBinary(dir.resolve("sizes.bin"), INT8, "VISION_ENCODER", WIDTH);
        try (NativeQnnGraph graph = NativeQnnGraph.open(libs.htp(), libs.system(), binary, INT8)) {
            assertThatThrownBy(() -> graph.execute(List.of(ByteBuffer.allocate(SIZE * SIZE * 3)),
                    List.of(ByteBuffer.allocateDirect(256 * WIDTH))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("pixel_values")
                    .hasMessageContaining("must be direct and 3145728 bytes");
            assertThatThrownBy(() -> graph.execute(List.of(ByteBuffer.allocateDirect(SIZE * SIZE * 3)),
                    List.of(ByteBuffer.allocateDirect(256 * WIDTH - 1))))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("image_features")
                    .hasMessageContaining("2047 bytes");
            assertThat(htp.QnnHtpStandIn_executions()).isNotNegative();
        }
    }

    @Test
    void anOlderCoreApiIsRefusedByName() {
        QnnStandIn.Libraries old = QnnStandIn.build(QnnStandIn.SOURCES, Path.of("target/qnn-standin-api-2.10"),
                "-DSTANDIN_CORE_MINOR=10");
        assertThatThrownBy(() -> NativeQnnGraph.open(old.htp(), old.system(), dir.resolve("unused.bin"), INT8))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("needs the HTP backend (id 6) with API 2.14 or a later 2.x")
                .hasMessageContaining("HTP_QTI_AISW (backend 6, API 2.10.0)");
    }

    @Test
    void closeIsSafeTwiceAndLaterExecutionsFailClearly() throws IOException {
        Path binary = QnnStandIn.writeBinary(dir.resolve("close.bin"), INT8, "VISION_ENCODER", WIDTH);
        NativeQnnGraph graph = NativeQnnGraph.open(libs.htp(), libs.system(), binary, INT8);
        graph.close();
        graph.close();
        assertThatThrownBy(() -> graph.execute(List.of(ByteBuffer.allocateDirect(SIZE * SIZE * 3)),
                List.of(ByteBuffer.allocateDirect(256 * WIDTH)))).hasMessageContaining("is closed");
    }
}

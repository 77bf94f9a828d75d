package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifact;
import dev.fastvlm.Stage;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.image.PreprocessedImage;
import dev.fastvlm.core.qnn.NativeQnnGraph;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link dev.fastvlm.VisionEngine#IN_PROCESS}: the vision encoder's context binary loaded once into
 * this process through the QNN C API ({@link NativeQnnGraph} on the synced {@code libQnnHtp.so} and
 * {@code libQnnSystem.so}), then executed per request on the preprocessed pixels in memory, its
 * output read straight into the dequantizer: no program, no file, no push. Loaded by
 * {@link #preload()} or on the first request, after the sync put the libraries and the binary in
 * place; kept until the pipeline closes. Calls come one at a time (the pipeline holds the device's
 * lock), so one input buffer serves every request.
 */
final class InProcessVisionEncoder implements VisionEncoder {

    private final ModelBundle bundle;
    private final Path deviceDir;
    private NativeQnnGraph graph;
    private ByteBuffer input;

    InProcessVisionEncoder(ModelBundle bundle, String deviceDir) {
        this.bundle = bundle;
        this.deviceDir = Path.of(deviceDir);
    }

    @Override
    public void preload() {
        load();
    }

    private void load() {
        if (graph == null) {
            graph = NativeQnnGraph.open(deviceDir.resolve(QairtSdk.HTP_BACKEND), deviceDir.resolve(QairtSdk.SYSTEM_LIBRARY),
                    deviceDir.resolve(bundle.require(ModelArtifact.VISION_ENCODER).getFileName()), bundle.visionGraph());
            input = ByteBuffer.allocateDirect((int) bundle.imageInput().byteSize());
        }
    }

    @Override
    public VisionEmbeddings encode(RequestWork work, PreprocessedImage pixels) {
        if (graph == null) {
            work.clock().time(Stage.VISION_LOAD, this::load);
        }
        TensorSpec output = bundle.visionOutput();
        // A new buffer per request: the rows are read from it after this call, and a conversation keeps them.
        ByteBuffer features = ByteBuffer.allocateDirect((int) output.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        work.clock().time(Stage.VISION_ENCODER, () -> {
            ((Buffer) input).clear();
            pixels.writeTo(input);
            graph.execute(List.of(input), List.of(features));
        });
        return VisionEmbeddings.of(features, output, "the in-process vision encoder's output (" + graph.graph().name()
                + ")");
    }

    @Override
    public void close() {
        if (graph != null) {
            graph.close();
            graph = null;
        }
    }
}

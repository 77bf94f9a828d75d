package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifact;
import dev.fastvlm.Stage;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.image.PreprocessedImage;
import dev.fastvlm.genie.qnn.TensorSpec;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The vision encoder as a {@code qnn-net-run} program on the device: the pixels and their input
 * list are pushed into the request's directory, and the output tensor is read back.
 */
final class ProcessVisionEncoder implements VisionEncoder {

    private final ModelBundle bundle;

    ProcessVisionEncoder(ModelBundle bundle) {
        this.bundle = bundle;
    }

    @Override
    public VisionEmbeddings encode(RequestWork work, PreprocessedImage pixels) {
        String input = work.file("pixel_values.raw");
        String list = work.file("vision_input_list.txt");
        // The small list first: its verdict comes back while the pixels are still on their way.
        work.clock().time(Stage.PUSH_IMAGE, () -> work.device().writeAll(List.of(
                Upload.of(list, (input + "\n").getBytes(StandardCharsets.UTF_8)).inPlace(),
                new Upload(input, pixels.byteSize(), pixels::writeTo).inPlace()), TransferListener.NONE));
        TensorSpec output = bundle.visionOutput();
        RequestWork.RawOutput raw = work.runGraph(Stage.VISION_ENCODER, Stage.PULL_VISION, "vision",
                bundle.require(ModelArtifact.VISION_ENCODER).getFileName().toString(), list, output);
        return VisionEmbeddings.of(raw.data(), output, raw.source());
    }

    @Override
    public void close() {
    }
}

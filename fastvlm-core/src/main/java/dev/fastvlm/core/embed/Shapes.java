package dev.fastvlm.core.embed;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.nio.ByteBuffer;

/** Size checks shared by the embedding sources. */
final class Shapes {
    private Shapes() {
    }

    static void checkSize(ByteBuffer data, TensorSpec spec, String source) {
        long expected = spec.byteSize();
        if (data.remaining() != expected) {
            throw new ModelArtifactException(source + " is " + data.remaining() + " bytes, but its dims "
                    + spec.dimensions() + " of " + spec.dataType().qnnName() + " make " + expected + " bytes");
        }
        if (spec.elementCount() / spec.innermost() > Integer.MAX_VALUE) {
            throw new ModelArtifactException(source + ": " + spec.dimensions() + " has too many rows");
        }
    }
}

package dev.fastvlm.core.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.GZIPInputStream;

/** Reads the numpy-made files of src/test/scripts/make_embedding_goldens.py from the classpath. */
final class Goldens {
    private Goldens() {
    }

    static ByteBuffer read(String name) {
        try (InputStream in = Goldens.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden " + name);
            }
            InputStream data = name.endsWith(".gz") ? new GZIPInputStream(in) : in;
            return ByteBuffer.wrap(data.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

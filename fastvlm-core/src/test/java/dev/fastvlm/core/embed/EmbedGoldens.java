package dev.fastvlm.core.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Properties;

/** The numpy-made files of src/test/scripts/make_embedding_goldens.py, and their parameters. */
final class EmbedGoldens {
    private static final Properties PARAMETERS = new Properties();

    static {
        try (InputStream in = EmbedGoldens.class.getResourceAsStream("goldens.properties")) {
            PARAMETERS.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private EmbedGoldens() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = EmbedGoldens.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden " + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ByteBuffer buffer(String name) {
        return ByteBuffer.wrap(bytes(name)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Copies a golden to {@code dir} and returns its path. */
    static Path file(Path dir, String name) throws IOException {
        return Files.write(dir.resolve(name), bytes(name));
    }

    static int integer(String key) {
        return Integer.parseInt(PARAMETERS.getProperty(key));
    }

    /** A scale as the seed gets it: a JSON double, cast to float32. */
    static float scale(String key) {
        return (float) Double.parseDouble(PARAMETERS.getProperty(key));
    }

    static int[] ids() {
        return Arrays.stream(PARAMETERS.getProperty("lut.ids").split(",")).mapToInt(Integer::parseInt).toArray();
    }
}

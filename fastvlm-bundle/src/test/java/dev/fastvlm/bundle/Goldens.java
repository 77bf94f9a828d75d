package dev.fastvlm.bundle;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** The safetensors golden files of {@code src/test/scripts/make_safetensors_goldens.py}. */
final class Goldens {
    private Goldens() {
    }

    static Path golden(String name) {
        try {
            return Path.of(Goldens.class.getResource("/safetensors/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

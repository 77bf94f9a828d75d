package dev.fastvlm.emulator.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** Temporary files for the bundle's atomic writes. */
final class ModelFiles {

    private ModelFiles() {
    }

    /**
     * A new empty file with a unique name starting with {@code prefix} in {@code dir}, created with
     * the user's umask: {@link Files#createTempFile} would make it owner-only, and the move into
     * place would carry that mode over to the bundle's files.
     */
    static Path temporary(Path dir, String prefix) throws IOException {
        return Files.createFile(dir.resolve(prefix + UUID.randomUUID() + ".tmp"));
    }
}

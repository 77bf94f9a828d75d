package dev.fastvlm.core.device;

import dev.fastvlm.ModelArtifactException;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The host files' SHA-256 through the same cache the device sync uses
 * ({@code ~/.cache/fastvlm/host-digests.tsv}), so that checking a bundle at {@code build()} reads
 * a large file only when it changed since it was last hashed.
 */
public final class HostDigests {
    private HostDigests() {
    }

    /**
     * A function giving a file's SHA-256 (lower-case hex), remembered in the default cache file.
     *
     * @return the function; it throws {@link ModelArtifactException} when a file cannot be read
     */
    public static Function<Path, String> cached() {
        HostDigestCache cache = HostDigestCache.load(HostDigestCache.defaultFile());
        return file -> {
            try {
                String sha = cache.sha256(file, ArtifactSync::sha256);
                cache.save();
                return sha;
            } catch (IOException e) {
                throw new ModelArtifactException("cannot read " + file + ": " + e.getMessage(), e);
            }
        };
    }
}

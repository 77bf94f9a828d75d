package dev.fastvlm.genie.internal;

import java.nio.file.Path;

/**
 * The host folder where the SDK keeps what it can always make again (file digests, parsed
 * tokenizers): {@code $XDG_CACHE_HOME/fastvlm} when that variable names an absolute folder, else
 * {@code ~/.cache/fastvlm} ({@code user.home}). Anything in it may be deleted at any time.
 */
public final class UserCache {

    private UserCache() {
    }

    /**
     * The folder, resolved from the environment now; it may not exist yet.
     *
     * @return the SDK's cache folder
     */
    public static Path folder() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("fastvlm");
    }
}

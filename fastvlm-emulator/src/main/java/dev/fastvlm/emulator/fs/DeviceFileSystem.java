package dev.fastvlm.emulator.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The emulated device's storage: device paths ({@code /data/local/tmp/x}) map to
 * {@code <root>/data/local/tmp/x}. Resolution is lexical first (so {@code ..} can never climb
 * above the device root) and then checked against the real path of the deepest existing
 * ancestor, so a symbolic link that points outside the sandbox is refused too.
 */
public final class DeviceFileSystem {
    private final Path root;

    /**
     * A file system rooted at {@code root}.
     *
     * @param root the host folder that becomes the device's {@code /}; created when missing
     * @throws IOException when the folder cannot be created or resolved
     */
    public DeviceFileSystem(Path root) throws IOException {
        Files.createDirectories(root);
        this.root = root.toRealPath();
    }

    /**
     * The host folder that holds the device's files.
     *
     * @return the sandbox folder, as a real path
     */
    public Path root() {
        return root;
    }

    /**
     * The host path for a device path.
     *
     * @param devicePath an absolute device path
     * @return the host path, which may not exist yet
     * @throws SandboxEscapeException if the path is relative, climbs above {@code /}, or leads
     *                                (through a symbolic link) outside the sandbox
     */
    public Path resolve(String devicePath) throws SandboxEscapeException {
        if (devicePath == null || !devicePath.startsWith("/")) {
            throw new SandboxEscapeException("device path must be absolute: " + devicePath);
        }
        if (devicePath.indexOf('\0') >= 0) {
            throw new SandboxEscapeException("device path contains a NUL byte");
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : devicePath.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new SandboxEscapeException("device path climbs above /: " + devicePath);
                }
                parts.removeLast();
            } else {
                parts.addLast(part);
            }
        }
        Path host = root;
        for (String part : parts) {
            host = host.resolve(part);
        }
        checkInside(host, devicePath);
        return host;
    }

    /**
     * The device path of a host path inside the sandbox (for messages a device would print).
     *
     * @param host a host path inside {@link #root()}
     * @return the device path, starting with {@code /}
     */
    public String devicePath(Path host) {
        Path rel = root.relativize(host.toAbsolutePath().normalize());
        return "/" + rel.toString().replace('\\', '/');
    }

    private void checkInside(Path host, String devicePath) throws SandboxEscapeException {
        Path existing = host;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            throw new SandboxEscapeException("device path outside the sandbox: " + devicePath);
        }
        try {
            Path real = existing.toRealPath();
            if (!real.startsWith(root)) {
                throw new SandboxEscapeException("device path leads outside the sandbox: " + devicePath);
            }
        } catch (SandboxEscapeException e) {
            throw e;
        } catch (IOException e) {
            // a dangling link: its target cannot be checked, so it is refused like an escape
            throw new SandboxEscapeException("device path is a dangling link: " + devicePath);
        }
    }

    /** A device path that would reach outside the sandbox. */
    public static final class SandboxEscapeException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * A refused device path.
         *
         * @param message the path and why it is refused
         */
        public SandboxEscapeException(String message) {
            super(message);
        }
    }
}

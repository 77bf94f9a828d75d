package dev.fastvlm.emulator.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The emulated device's storage: device paths ({@code /data/local/tmp/x}) map to
 * {@code <root>/data/local/tmp/x}; {@code /sdcard} and {@code /storage/emulated/0} are the emulated
 * storage {@code /data/media/0}, as on a phone.
 *
 * <p>Services open device folders with {@link #openDirectory}, which walks the path one component
 * at a time from the root by directory descriptor ({@code openat(2)} with {@code O_NOFOLLOW}), so
 * no symbolic link is followed, whoever changes the tree meanwhile: each step opens the very
 * folder the previous one found, never a path looked up again. The folder is then reached through
 * {@code /proc/self/fd}, which names that open folder and nothing else. Where {@code openat} is
 * not available (not Linux), each component is checked not to be a link before it is used; there
 * the device has no command that makes links (its shell is the restricted one).
 */
public final class DeviceFileSystem {
    /** The emulated storage ({@code /sdcard}), relative to the root. */
    public static final String STORAGE = "data/media/0";
    private static final Map<String, String> ALIASES = Map.of("sdcard", STORAGE, "storage/emulated/0", STORAGE,
            "storage/self/primary", STORAGE);

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
     * The host path for a device path, for the emulator's own host-side use (its callers trust the
     * tree): services use {@link #openDirectory} instead.
     *
     * @param devicePath an absolute device path
     * @return the host path, which may not exist yet
     * @throws SandboxEscapeException if the path is relative, climbs above {@code /}, or leads
     *                                (through a symbolic link) outside the sandbox
     */
    public Path resolve(String devicePath) throws SandboxEscapeException {
        Path host = root;
        for (String part : components(devicePath)) {
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

    /**
     * The components of a device path under the root, {@code .} and {@code ..} applied and the
     * storage aliases replaced.
     *
     * @param devicePath an absolute device path
     * @return its components under the root
     * @throws SandboxEscapeException if the path is relative, has a NUL, or climbs above {@code /}
     */
    public static List<String> components(String devicePath) throws SandboxEscapeException {
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
        String joined = String.join("/", parts);
        for (Map.Entry<String, String> alias : ALIASES.entrySet()) {
            if (joined.equals(alias.getKey()) || joined.startsWith(alias.getKey() + "/")) {
                joined = alias.getValue() + joined.substring(alias.getKey().length());
                break;
            }
        }
        return joined.isEmpty() ? List.of() : List.of(joined.split("/"));
    }

    /**
     * Opens the device folder made of {@code components} without following any link.
     *
     * @param components the folder's components under the root (see {@link #components})
     * @param create     create missing folders (mode 0755 less the umask)
     * @return the open folder, to close after use
     * @throws SandboxEscapeException if a component is a symbolic link
     * @throws java.nio.file.NoSuchFileException if a component is missing and not created
     * @throws java.nio.file.NotDirectoryException if a component is not a folder
     * @throws IOException if the folder cannot be opened or created
     */
    DeviceDirectory openDirectory(List<String> components, boolean create) throws IOException {
        return Descriptors.AVAILABLE ? Descriptors.open(root, components, create) : checkedPath(components, create);
    }

    private DeviceDirectory checkedPath(List<String> components, boolean create) throws IOException {
        Path dir = root;
        for (String name : components) {
            dir = dir.resolve(name);
            if (Files.isSymbolicLink(dir)) {
                throw new SandboxEscapeException("a symbolic link is not followed: " + devicePath(dir));
            }
            if (create && Files.notExists(dir, LinkOption.NOFOLLOW_LINKS)) {
                createDirectory(dir);
            }
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                throw Files.exists(dir, LinkOption.NOFOLLOW_LINKS)
                        ? new java.nio.file.NotDirectoryException(devicePath(dir))
                        : new java.nio.file.NoSuchFileException(devicePath(dir));
            }
        }
        Path opened = dir;
        return new DeviceDirectory(opened, () -> { });
    }

    private static void createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            // made meanwhile by someone else: what it is gets checked next
        }
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

    /** An open device folder: {@link #path()} reaches exactly that folder while it is open. */
    static final class DeviceDirectory implements AutoCloseable {
        private final Path path;
        private final Runnable closer;

        DeviceDirectory(Path path, Runnable closer) {
            this.path = path;
            this.closer = closer;
        }

        /** A path to the open folder; names resolved against it are looked up in that folder. */
        Path path() {
            return path;
        }

        @Override
        public void close() {
            closer.run();
        }
    }

    /** {@code openat(2)} through JNA, on Linux. */
    private static final class Descriptors {
        private static final int AT_FDCWD = -100;
        private static final int ENOENT = 2;
        private static final int ENOTDIR = 20;
        private static final int ELOOP = 40;
        private static final int O_CLOEXEC = 02000000;
        private static final int O_DIRECTORY;
        private static final int O_NOFOLLOW;
        private static final LibC LIBC;
        static final boolean AVAILABLE;

        static {
            String arch = System.getProperty("os.arch", "");
            boolean linux = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
            boolean arm = arch.equals("aarch64") || arch.equals("arm64");
            // the flags' values differ between architectures (asm-generic/fcntl.h against arch/arm64)
            O_DIRECTORY = arm ? 040000 : 0200000;
            O_NOFOLLOW = arm ? 0100000 : 0400000;
            LibC libc = null;
            if (linux && (arm || arch.equals("amd64") || arch.equals("x86_64")) && Files.isDirectory(Path.of("/proc/self/fd"))) {
                try {
                    libc = Native.load("c", LibC.class);
                } catch (UnsatisfiedLinkError e) {
                    libc = null;
                }
            }
            LIBC = libc;
            AVAILABLE = libc != null;
        }

        interface LibC extends Library {
            int openat(int dirfd, String path, int flags, int mode) throws LastErrorException;

            int close(int fd) throws LastErrorException;
        }

        static DeviceDirectory open(Path root, List<String> components, boolean create) throws IOException {
            int fd = openDirectory(AT_FDCWD, root.toString(), root.toString());
            StringBuilder shown = new StringBuilder();
            try {
                for (String name : components) {
                    shown.append('/').append(name);
                    int next;
                    try {
                        next = openDirectory(fd, name, shown.toString());
                    } catch (java.nio.file.NoSuchFileException e) {
                        if (!create) {
                            throw e;
                        }
                        createDirectory(Path.of("/proc/self/fd/" + fd, name));
                        next = openDirectory(fd, name, shown.toString());
                    }
                    close(fd);
                    fd = next;
                }
            } catch (IOException | RuntimeException e) {
                close(fd);
                throw e;
            }
            int opened = fd;
            return new DeviceDirectory(Path.of("/proc/self/fd/" + opened), () -> close(opened));
        }

        private static int openDirectory(int dirfd, String name, String shown) throws IOException {
            try {
                return LIBC.openat(dirfd, name, O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
            } catch (LastErrorException e) {
                switch (e.getErrorCode()) {
                    case ENOENT -> throw new java.nio.file.NoSuchFileException(shown);
                    case ELOOP -> throw new SandboxEscapeException("a symbolic link is not followed: " + shown);
                    case ENOTDIR -> {
                        // O_DIRECTORY is checked before O_NOFOLLOW: a link gives ENOTDIR too
                        if (Files.isSymbolicLink(Path.of("/proc/self/fd/" + dirfd, name))) {
                            throw new SandboxEscapeException("a symbolic link is not followed: " + shown);
                        }
                        throw new java.nio.file.NotDirectoryException(shown);
                    }
                    default -> throw new IOException("cannot open " + shown + ": error " + e.getErrorCode());
                }
            }
        }

        private static void close(int fd) {
            try {
                LIBC.close(fd);
            } catch (LastErrorException e) {
                // nothing was written through it
            }
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

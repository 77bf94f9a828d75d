package dev.fastvlm.emulator;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Removes a sandbox folder without ever following a link out of it. Where the platform offers a
 * {@link SecureDirectoryStream} (Linux), every entry is examined and removed relative to its open
 * parent folder, so a folder swapped for a link while the removal runs cannot redirect it; elsewhere
 * a walk that does not follow links.
 */
final class SandboxRemoval {
    private static final int ATTEMPTS = 5;
    private static final long RETRY_MILLIS = 50;

    private SandboxRemoval() {
    }

    /**
     * Removes {@code root} and everything under it, retrying a few times if files appear meanwhile
     * (a service still finishing a write).
     *
     * @param root the sandbox folder
     * @throws IOException if it cannot be removed
     */
    static void remove(Path root) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                removeOnce(root);
                return;
            } catch (NoSuchFileException gone) {
                return;
            } catch (IOException e) {
                last = e;
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        throw last != null ? last : new IOException("interrupted while removing " + root);
    }

    private static void removeOnce(Path root) throws IOException {
        if (Files.notExists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            Files.delete(root);
            return;
        }
        try (DirectoryStream<Path> top = Files.newDirectoryStream(root)) {
            if (top instanceof SecureDirectoryStream<Path> secure) {
                empty(secure);
            } else {
                walkAndDelete(root);
                return;
            }
        }
        Files.delete(root);
    }

    private static void empty(SecureDirectoryStream<Path> dir) throws IOException {
        for (Path entry : dir) {
            Path name = entry.getFileName();
            BasicFileAttributes attributes = dir.getFileAttributeView(name, BasicFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS).readAttributes();
            if (attributes.isDirectory()) {
                // a device command may have made it unreadable; we own it, so we may open it again
                dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setPermissions(PosixFilePermissions.fromString("rwx------"));
                try (SecureDirectoryStream<Path> sub = dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    empty(sub);
                }
                dir.deleteDirectory(name);
            } else {
                dir.deleteFile(name);
            }
        }
    }

    private static void walkAndDelete(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}

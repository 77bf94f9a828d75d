package dev.fastvlm.core.device;

import dev.fastvlm.genie.internal.UserCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The SHA-256 of host files already hashed, remembered across processes in one small text file,
 * so a sync of an unchanged bundle does not read hundreds of MB again. An entry is trusted only for
 * the same absolute path, size, modification time (to the file system's resolution) and file key
 * (device and inode where the platform has them); any difference, and the file is hashed again.
 *
 * <p>A file modified within {@link #RACY_SECONDS} of being hashed is not remembered: on a file
 * system with coarse timestamps it could still change without its time changing (git's "racily
 * clean" entries). The cache file is written to a temporary name in its folder and moved into place,
 * so readers see an old or a new version, never a torn one; an unreadable file is ignored (logged)
 * and rebuilt. Deleting it is always safe. It keeps at most {@link #MAX_ENTRIES} files, the most
 * recently used.
 */
final class HostDigestCache {

    private static final Logger LOG = LoggerFactory.getLogger(HostDigestCache.class);
    private static final String HEADER = "fastvlm-host-digests 1";
    /** The cache file's name in its folder. */
    static final String FILE_NAME = "host-digests.tsv";
    /** Files modified this recently when hashed are not remembered. */
    static final long RACY_SECONDS = 2;
    static final int MAX_ENTRIES = 1000;

    /** What a file was when it was hashed. */
    record Stamp(long size, long mtimeNanos, String fileKey) {
    }

    private record Entry(Stamp stamp, String sha256) {
    }

    private final Path file;
    private final Map<String, Entry> entries;
    private boolean changed;

    private HostDigestCache(Path file, Map<String, Entry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * The default cache file: {@code $XDG_CACHE_HOME/fastvlm/host-digests.tsv} when that variable
     * names an absolute folder, else {@code ~/.cache/fastvlm/host-digests.tsv} ({@code user.home}).
     */
    static Path defaultFile() {
        return UserCache.folder().resolve(FILE_NAME);
    }

    /** Reads {@code file}; a missing file is an empty cache, an unreadable one is logged and ignored. */
    static HostDigestCache load(Path file) {
        Map<String, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
        try {
            String[] lines = dev.fastvlm.genie.internal.Json.readUtf8(file).split("\n");
            if (!lines[0].equals(HEADER)) {
                throw new IOException("its first line is not '" + HEADER + "'");
            }
            for (int i = 1; i < lines.length; i++) {
                String[] f = lines[i].split("\t", 5);
                if (f.length != 5 || !f[0].matches("[0-9a-f]{64}")) {
                    throw new IOException("line " + (i + 1) + " is not 'sha256 size mtime key path'");
                }
                entries.put(f[4], new Entry(new Stamp(Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]), f[0]));
            }
        } catch (NoSuchFileException e) {
            LOG.debug("no host digest cache at {} yet", file);
        } catch (IOException | RuntimeException e) {
            LOG.warn("ignoring the host digest cache {} (it will be rebuilt): {}", file, e.getMessage());
            entries.clear();
        }
        return new HostDigestCache(file, entries);
    }

    /**
     * The SHA-256 of {@code hostFile}: remembered when its path, size, time and key are what they
     * were when it was hashed, otherwise computed by {@code hash} (and remembered).
     *
     * @throws IOException the file's attributes cannot be read
     */
    String sha256(Path hostFile, Function<Path, String> hash) throws IOException {
        String path = hostFile.toAbsolutePath().normalize().toString();
        Stamp before = stamp(hostFile);
        Entry entry = entries.get(path);
        if (entry != null && entry.stamp().equals(before)) {
            return entry.sha256();
        }
        String sha256 = hash.apply(hostFile);
        Stamp after = stamp(hostFile);
        long ageNanos = System.currentTimeMillis() * 1_000_000 - after.mtimeNanos();
        if (after.equals(before) && ageNanos > TimeUnit.SECONDS.toNanos(RACY_SECONDS) && path.indexOf('\n') < 0) {
            entries.put(path, new Entry(after, sha256));
            changed = true;
        } else if (entry != null) {
            entries.remove(path);
            changed = true;
        }
        return sha256;
    }

    /** Writes the cache if anything changed; failures are logged, the cache only saves time. */
    void save() {
        if (!changed) {
            return;
        }
        for (Iterator<String> it = entries.keySet().iterator(); entries.size() > MAX_ENTRIES && it.hasNext(); ) {
            it.next();
            it.remove();
        }
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        entries.forEach((path, e) -> text.append(e.sha256()).append('\t').append(e.stamp().size()).append('\t')
                .append(e.stamp().mtimeNanos()).append('\t').append(e.stamp().fileKey()).append('\t')
                .append(path).append('\n'));
        Path temp = null;
        try {
            Files.createDirectories(file.getParent());
            temp = file.resolveSibling("." + FILE_NAME + "." + UUID.randomUUID() + ".tmp");
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW)) {
                out.write(text.toString().getBytes(StandardCharsets.UTF_8));
            }
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            changed = false;
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not write the host digest cache {}: {}", file, e.getMessage());
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Nothing more to do: a stray temporary file is harmless and named as such.
                }
            }
        }
    }

    /** The cache file. */
    Path file() {
        return file;
    }

    /** What {@code file} is now, as far as the cache cares. */
    static Stamp stamp(Path file) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        Object key = attributes.fileKey();
        String keyText = key == null ? "-" : key.toString().replaceAll("[\t\n]", " ");
        return new Stamp(attributes.size(), attributes.lastModifiedTime().to(TimeUnit.NANOSECONDS), keyText);
    }

    /** The remembered digest of {@code hostFile}'s absolute path, whatever the file is now (for tests). */
    Optional<String> remembered(Path hostFile) {
        Entry entry = entries.get(hostFile.toAbsolutePath().normalize().toString());
        return Optional.ofNullable(entry).map(Entry::sha256);
    }
}

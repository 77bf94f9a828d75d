package dev.fastvlm.core.device;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The record, kept on the device next to the synced files, of what each file was when it was
 * pushed or verified: size, SHA-256, and the device's modification time then. A file whose size
 * and mtime still match its entry is trusted without hashing; anything else is re-verified.
 *
 * <p>Format: a header line, then one {@code sha256 TAB size TAB mtime TAB name} line per file.
 */
final class SyncManifest {

    /** The manifest's file name in the synced directory. */
    public static final String MANIFEST_NAME = ".fastvlm-manifest";
    private static final String HEADER = "fastvlm-manifest 1";

    /** One file's entry. */
    record Entry(String sha256, long size, long mtimeSeconds) {
    }

    private final Map<String, Entry> entries;

    private SyncManifest(Map<String, Entry> entries) {
        this.entries = entries;
    }

    static SyncManifest empty() {
        return new SyncManifest(new LinkedHashMap<>());
    }

    /** Reads a manifest; anything unreadable (another version, a torn file) counts as absent. */
    static SyncManifest parse(String text) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(HEADER)) {
            return new SyncManifest(entries);
        }
        for (int i = 1; i < lines.length; i++) {
            String[] fields = lines[i].split("\t", 4);
            if (fields.length != 4 || !fields[0].matches("[0-9a-f]{64}")) {
                continue;
            }
            try {
                entries.put(fields[3], new Entry(fields[0], Long.parseLong(fields[1]), Long.parseLong(fields[2])));
            } catch (NumberFormatException e) {
                // A damaged line only costs that file a re-verification.
            }
        }
        return new SyncManifest(entries);
    }

    Optional<Entry> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    void put(String name, Entry entry) {
        entries.put(name, entry);
    }

    Map<String, Entry> entries() {
        return Collections.unmodifiableMap(entries);
    }

    byte[] toBytes() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        entries.forEach((name, e) -> text.append(e.sha256()).append('\t').append(e.size()).append('\t')
                .append(e.mtimeSeconds()).append('\t').append(name).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}

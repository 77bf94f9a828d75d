package dev.fastvlm.core.device;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The host digest cache: what it trusts, what it hashes again, and how it survives damage. */
class HostDigestCacheTest {

    @TempDir
    Path dir;
    private Path cacheFile;
    private Path model;
    private final List<Path> hashed = new ArrayList<>();
    private final Function<Path, String> countingHash = file -> {
        hashed.add(file);
        return ArtifactSync.sha256(file);
    };

    @BeforeEach
    void setUp() throws IOException {
        cacheFile = dir.resolve("cache").resolve(HostDigestCache.FILE_NAME);
        model = dir.resolve("model.bin");
        Files.write(model, new byte[] {1, 2, 3, 4});
        age(model, 3600);
    }

    /** Hashes through a cache loaded from disk and saves it, as one sync does. */
    private String syncHash(Path file) throws IOException {
        HostDigestCache cache = HostDigestCache.load(cacheFile);
        String sha = cache.sha256(file, countingHash);
        cache.save();
        return sha;
    }

    private static void age(Path file, long seconds) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(seconds)));
    }

    @Test
    void anUnchangedFileIsHashedOnceAcrossRuns() throws IOException {
        String first = syncHash(model);
        String second = syncHash(model);
        assertThat(second).isEqualTo(first).isEqualTo(ArtifactSync.sha256(model));
        assertThat(hashed).containsExactly(model);
        assertThat(Files.readString(cacheFile)).startsWith("fastvlm-host-digests 1\n").contains(first);
        try (var files = Files.list(cacheFile.getParent())) {
            assertThat(files).as("the temporary file was moved into place").containsExactly(cacheFile);
        }
    }

    @Test
    void aFileWithTheSameSizeAndANewModificationTimeIsHashedAgain() throws IOException {
        String before = syncHash(model);
        Files.write(model, new byte[] {9, 9, 9, 9});
        age(model, 1800);
        String after = syncHash(model);
        assertThat(hashed).containsExactly(model, model);
        assertThat(after).isNotEqualTo(before).isEqualTo(ArtifactSync.sha256(model));
    }

    @Test
    void aFileWithANewSizeAndTheSameModificationTimeIsHashedAgain() throws IOException {
        FileTime time = Files.getLastModifiedTime(model);
        String before = syncHash(model);
        Files.write(model, new byte[] {1, 2, 3, 4, 5});
        Files.setLastModifiedTime(model, time);
        String after = syncHash(model);
        assertThat(hashed).containsExactly(model, model);
        assertThat(after).isNotEqualTo(before).isEqualTo(ArtifactSync.sha256(model));
    }

    @Test
    void anEntryIsNotTrustedForAnotherPath() throws IOException {
        syncHash(model);
        Path copy = dir.resolve("copy.bin");
        Files.write(copy, new byte[] {5, 6, 7, 8});
        Files.setLastModifiedTime(copy, Files.getLastModifiedTime(model));
        assertThat(syncHash(copy)).isEqualTo(ArtifactSync.sha256(copy));
        assertThat(hashed).containsExactly(model, copy);
    }

    @Test
    void aFileReplacedUnderTheSamePathSizeAndTimeIsHashedAgainWhereThePlatformHasFileKeys() throws IOException {
        FileTime time = Files.getLastModifiedTime(model);
        syncHash(model);
        Path other = dir.resolve("other.bin");
        Files.write(other, new byte[] {7, 7, 7, 7});
        Files.setLastModifiedTime(other, time);
        Files.move(other, model, StandardCopyOption.REPLACE_EXISTING);
        Files.setLastModifiedTime(model, time);
        String after = syncHash(model);
        if (HostDigestCache.stamp(model).fileKey().equals("-")) {
            return; // no inode numbers on this file system: path, size and time are all the cache sees
        }
        assertThat(after).isEqualTo(ArtifactSync.sha256(model));
        assertThat(hashed).hasSize(2);
    }

    @Test
    void aFileModifiedJustNowIsNotRemembered() throws IOException {
        Files.setLastModifiedTime(model, FileTime.from(Instant.now()));
        syncHash(model);
        syncHash(model);
        assertThat(hashed).as("a coarse clock could hide a change made in the same tick").hasSize(2);
        age(model, 60);
        syncHash(model);
        syncHash(model);
        assertThat(hashed).hasSize(3);
    }

    @Test
    void aCorruptCacheIsIgnoredAndRebuilt() throws IOException {
        Files.createDirectories(cacheFile.getParent());
        Files.writeString(cacheFile, "fastvlm-host-digests 1\nnot a line\n");
        assertThat(syncHash(model)).isEqualTo(ArtifactSync.sha256(model));
        syncHash(model);
        assertThat(hashed).containsExactly(model);
        Files.writeString(cacheFile, "\0\0garbage");
        syncHash(model);
        assertThat(hashed).hasSize(2);
        assertThat(HostDigestCache.load(cacheFile).remembered(model)).contains(ArtifactSync.sha256(model));
    }

    @Test
    void aWronglyRememberedDigestIsNotUsedOnceTheFileChanges() throws IOException {
        syncHash(model);
        String text = Files.readString(cacheFile).replace(ArtifactSync.sha256(model), "00".repeat(32));
        Files.writeString(cacheFile, text);
        assertThat(syncHash(model)).as("the entry is trusted while the file is what it was").isEqualTo("00".repeat(32));
        Files.write(model, new byte[] {4, 3, 2, 1});
        age(model, 100);
        assertThat(syncHash(model)).isEqualTo(ArtifactSync.sha256(model));
    }

    @Test
    void aCacheThatCannotBeWrittenOnlyCostsTime() throws IOException {
        Path blocked = dir.resolve("blocked");
        Files.writeString(blocked, "a file where the cache folder should be");
        HostDigestCache cache = HostDigestCache.load(blocked.resolve("sub").resolve(HostDigestCache.FILE_NAME));
        assertThat(cache.sha256(model, countingHash)).isEqualTo(ArtifactSync.sha256(model));
        cache.save();
        assertThat(Files.readString(blocked)).startsWith("a file");
    }
}

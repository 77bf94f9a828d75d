package dev.fastvlm.core.device;

import dev.fastvlm.core.bundle.BundleManifest;
import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.DeviceException;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Pushes model files and SDK libraries to a device directory once: a manifest on the device
 * records each file's size and SHA-256, and files already there and intact are skipped (checked
 * with the device's own {@code sha256sum} when the manifest is missing or no longer matches the
 * file). Free space is checked before pushing, and a lock directory on the device, with its
 * owner and a lease, serializes processes that sync the same directory and heals when one of them
 * dies in the middle of a sync. The host files' SHA-256 is remembered between runs in a small
 * cache file (see {@link #digestCache(Path)}), so a sync of an unchanged bundle reads none of it.
 *
 * <pre>{@code
 * ArtifactSync.Report report = ArtifactSync.to(transport, "/data/local/tmp/fastvlm")
 *         .sync(List.of(ArtifactSync.Artifact.of(Path.of("LUT.bin"))), (done, total) -> ...);
 * report.bytesPushed();   // 0 on the second run
 * }</pre>
 *
 * Works over any {@link Transport} whose device has a POSIX shell with {@code stat}, {@code df}
 * and {@code sha256sum} (Android's toybox has them).
 */
public final class ArtifactSync {

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactSync.class);
    /** The manifest recording each synced file's size and SHA-256. */
    public static final String MANIFEST_NAME = SyncManifest.MANIFEST_NAME;
    /** Directory on the device that serializes syncs of one directory. */
    public static final String LOCK_NAME = ".fastvlm-lock";
    /** Room left free beyond the files themselves, for the manifest and the filesystem's own needs. */
    static final long SPACE_MARGIN_BYTES = 16L << 20;
    /** The line between the manifest and the file list in the sync's first device script. */
    private static final String STAT_MARK = "--fastvlm-stat--";

    /**
     * A host file and the name it gets under the device directory.
     *
     * @param hostFile the file to push
     * @param name     relative device name: no leading {@code /}, no {@code ..} or empty segments,
     *                 no newline or tab
     */
    public record Artifact(Path hostFile, String name) {
        /**
         * Checks the name.
         *
         * @param hostFile the file to push
         * @param name relative device name: no leading {@code /}, no {@code ..} or empty segments, no newline or tab
         * @throws NullPointerException when {@code hostFile} is null
         * @throws InvalidConfigurationException when {@code name} is not a plain relative device name
         */
        public Artifact {
            Objects.requireNonNull(hostFile, "hostFile");
            if (name == null || name.isEmpty() || name.startsWith("/") || name.endsWith("/")
                    || name.contains("//") || name.matches("(?s).*[\n\t\r\0].*")
                    || List.of(name.split("/")).stream().anyMatch(s -> s.equals("..") || s.equals("."))) {
                throw new InvalidConfigurationException("artifact.name",
                        "must be a relative device file name without '..', newline or tab, was " + name);
            }
        }

        /**
         * The file under its own name.
         *
         * @param hostFile the file to push
         * @return the artifact, named after the file's own name
         */
        public static Artifact of(Path hostFile) {
            return new Artifact(hostFile, hostFile.getFileName().toString());
        }
    }

    /**
     * What a sync did.
     *
     * @param pushed           names whose bytes were sent
     * @param skipped          names already intact on the device
     * @param verifiedOnDevice names among {@code skipped} that needed the device's {@code sha256sum}
     * @param bytesPushed      file bytes sent
     */
    public record Report(List<String> pushed, List<String> skipped, List<String> verifiedOnDevice, long bytesPushed) {
        /**
         * Copies the name lists.
         *
         * @param pushed names whose bytes were sent
         * @param skipped names already intact on the device
         * @param verifiedOnDevice names among {@code skipped} that needed the device's {@code sha256sum}
         * @param bytesPushed file bytes sent
         */
        public Report {
            pushed = List.copyOf(pushed);
            skipped = List.copyOf(skipped);
            verifiedOnDevice = List.copyOf(verifiedOnDevice);
        }
    }

    private final Transport transport;
    private final String directory;
    private Duration lockTimeout = Duration.ofMinutes(15);
    private Duration staleLockAfter = Duration.ofMinutes(10);
    private Duration lease = Duration.ofSeconds(20);
    private Path digestCache;

    private ArtifactSync(Transport transport, String directory) {
        this.transport = Objects.requireNonNull(transport, "transport");
        DeviceScripts.checkDevicePath(directory);
        this.directory = directory;
    }

    /**
     * Syncs into {@code deviceDirectory} (an absolute device path) through {@code transport}.
     *
     * @param transport the device to push to
     * @param deviceDirectory an absolute device path; created when missing
     * @return a sync with the default lock timeout, lease and stale-lock age
     * @throws InvalidConfigurationException when {@code deviceDirectory} is not an absolute path
     */
    public static ArtifactSync to(Transport transport, String deviceDirectory) {
        return new ArtifactSync(transport, deviceDirectory);
    }

    /**
     * How long to wait for another process's sync of the same directory (default 15 minutes).
     *
     * @param timeout a positive wait
     * @return this sync
     * @throws InvalidConfigurationException when {@code timeout} is null or not positive
     */
    public ArtifactSync lockTimeout(Duration timeout) {
        this.lockTimeout = positive(timeout, "lockTimeout");
        return this;
    }

    /**
     * How long a sync's lock holds without renewal (default 20 s): the holder renews it every
     * quarter of this while it syncs, so a lock whose lease has ended belongs to a sync that died,
     * and the next sync breaks it (logged as a warning) and removes the partial files it left. A
     * lock of a process of this host that is gone is broken at once.
     *
     * @param lease a positive duration
     * @return this sync
     * @throws InvalidConfigurationException when {@code lease} is null or not positive
     */
    public ArtifactSync lease(Duration lease) {
        this.lease = positive(lease, "lease");
        return this;
    }

    /**
     * A lock written by an older version (no owner, no lease) not refreshed for this long is left
     * over from a process that died, and is broken (default 10 minutes).
     *
     * @param age a positive duration
     * @return this sync
     * @throws InvalidConfigurationException when {@code age} is null or not positive
     */
    public ArtifactSync staleLockAfter(Duration age) {
        this.staleLockAfter = positive(age, "staleLockAfter");
        return this;
    }

    /**
     * Where the SHA-256 of host files is remembered between runs, by absolute path, size,
     * modification time and file key (default {@code $XDG_CACHE_HOME/fastvlm/host-digests.tsv}, or
     * {@code ~/.cache/fastvlm/host-digests.tsv} without that variable). A file that changed in any
     * of these is hashed again; the file may be deleted at any time, and one that cannot be read is
     * ignored (with a warning) and rebuilt.
     *
     * @param file the cache file; its folder is created when the cache is first written
     * @return this
     */
    public ArtifactSync digestCache(Path file) {
        this.digestCache = Objects.requireNonNull(file, "file").toAbsolutePath();
        return this;
    }

    /**
     * Makes the device directory hold {@code artifacts}, pushing only what is missing or differs.
     *
     * @param progress bytes pushed so far, out of the bytes that need pushing
     * @param artifacts the files, with distinct names other than the manifest's and the lock's
     * @return the names pushed, skipped and verified on the device, and the bytes pushed
     * @throws ModelArtifactException a host file cannot be read
     * @throws DeviceException        not enough space on the device (with the numbers), or the lock
     *                                stayed held by another process
     * @throws InvalidConfigurationException when two artifacts share a name or one uses a reserved name
     */
    @SuppressWarnings("try") // the lock is held for the block and released by it; the block never names it
    public Report sync(List<Artifact> artifacts, TransferListener progress) {
        checkDistinct(artifacts);
        List<String> hostHashes = new ArrayList<>();
        List<Long> hostSizes = new ArrayList<>();
        HostDigestCache digests = HostDigestCache.load(digestCache != null ? digestCache : HostDigestCache.defaultFile());
        for (Artifact artifact : artifacts) {
            hostSizes.add(size(artifact.hostFile()));
            hostHashes.add(cachedSha256(digests, artifact.hostFile()));
        }
        digests.save();
        String inspect = "cat " + q(path(SyncManifest.MANIFEST_NAME)) + " 2>/dev/null; echo " + STAT_MARK + "; "
                + statScript(artifacts);
        // Without the lock first: a device that already holds every file intact needs nothing more,
        // and reading it is one short script. Files are only ever replaced whole (pushed to a
        // temporary name and renamed), so a concurrent sync cannot make a torn file look intact.
        DeviceState unlocked = DeviceState.parse(artifacts, DeviceScripts.output(transport, inspect));
        if (unlocked != null && unlocked.allIntact(artifacts, hostHashes, hostSizes)) {
            List<String> names = artifacts.stream().map(Artifact::name).toList();
            progress.onProgress(0, 0);
            LOG.info("synced {} to {}:{}: all already there", artifacts.size(), transport.target(), directory);
            return new Report(List.of(), names, List.of(), 0);
        }
        // Otherwise one round trip takes the lock and reads the manifest and every file's size and time again.
        try (SyncLock lock = SyncLock.acquire(transport, directory, lease, lockTimeout, staleLockAfter, inspect)) {
            DeviceState state = DeviceState.parse(artifacts, lock.acquiredOutput());
            if (state == null) {
                throw new DeviceException("reading the sync state of " + directory + " on " + transport.target()
                        + " gave no file list: " + lock.acquiredOutput());
            }
            return syncLocked(artifacts, hostHashes, hostSizes, state.manifest(), state.stats(), progress);
        }
    }

    /** The device's manifest and each artifact's size and mtime (null where missing), as one script reads them. */
    private record DeviceState(SyncManifest manifest, List<long[]> stats) {

        /** Reads the output of the state script; null when it lacks its mark line. */
        static DeviceState parse(List<Artifact> artifacts, String output) {
            // The last line that is the mark: stat's lines begin with a digit, the manifest comes before it.
            int after = output.lastIndexOf("\n" + STAT_MARK + "\n");
            int mark = after >= 0 ? after + 1 : output.startsWith(STAT_MARK + "\n") ? 0 : -1;
            if (mark < 0) {
                return null;
            }
            return new DeviceState(SyncManifest.parse(output.substring(0, mark)),
                    parseStats(artifacts, output.substring(mark + STAT_MARK.length() + 1)));
        }

        /** Whether every artifact is on the device as its manifest entry recorded it, with the host's digest. */
        boolean allIntact(List<Artifact> artifacts, List<String> hostHashes, List<Long> hostSizes) {
            for (int i = 0; i < artifacts.size(); i++) {
                if (!intact(artifacts.get(i).name(), stats.get(i), hostHashes.get(i), hostSizes.get(i))) {
                    return false;
                }
            }
            return true;
        }

        boolean intact(String name, long[] stat, String hostHash, long hostSize) {
            SyncManifest.Entry entry = manifest.get(name).orElse(null);
            return stat != null && stat[0] == hostSize && entry != null && entry.sha256().equals(hostHash)
                    && entry.size() == stat[0] && entry.mtimeSeconds() == stat[1];
        }
    }

    private Report syncLocked(List<Artifact> artifacts, List<String> hostHashes, List<Long> hostSizes,
                              SyncManifest manifest, List<long[]> deviceStats, TransferListener progress) {
        List<Integer> toPush = new ArrayList<>();
        List<Integer> toVerify = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < artifacts.size(); i++) {
            long[] stat = deviceStats.get(i);
            String name = artifacts.get(i).name();
            if (stat == null || stat[0] != hostSizes.get(i)) {
                toPush.add(i);
                continue;
            }
            SyncManifest.Entry entry = manifest.get(name).orElse(null);
            if (entry != null && entry.sha256().equals(hostHashes.get(i)) && entry.size() == stat[0]
                    && entry.mtimeSeconds() == stat[1]) {
                skipped.add(name);
            } else {
                toVerify.add(i);
            }
        }

        List<String> verified = new ArrayList<>();
        if (!toVerify.isEmpty()) {
            List<String> deviceHashes = deviceSha256(toVerify.stream().map(i -> artifacts.get(i).name()).toList());
            for (int k = 0; k < toVerify.size(); k++) {
                int i = toVerify.get(k);
                String name = artifacts.get(i).name();
                if (hostHashes.get(i).equals(deviceHashes.get(k))) {
                    long[] stat = deviceStats.get(i);
                    manifest.put(name, new SyncManifest.Entry(hostHashes.get(i), stat[0], stat[1]));
                    skipped.add(name);
                    verified.add(name);
                } else {
                    toPush.add(i);
                }
            }
        }

        long total = toPush.stream().mapToLong(hostSizes::get).sum();
        if (!toPush.isEmpty()) {
            checkFreeSpace(total);
        }
        List<String> pushed = new ArrayList<>();
        long[] before = {0};
        for (int i : toPush) {
            Artifact artifact = artifacts.get(i);
            long base = before[0];
            transport.push(artifact.hostFile(), path(artifact.name()),
                    (done, size) -> progress.onProgress(base + done, total));
            before[0] += hostSizes.get(i);
            long[] stat = statAll(List.of(artifact)).get(0);
            if (stat == null) {
                throw new DeviceException(path(artifact.name()) + " vanished from " + transport.target()
                        + " right after it was pushed");
            }
            manifest.put(artifact.name(), new SyncManifest.Entry(hostHashes.get(i), stat[0], stat[1]));
            writeManifest(manifest);
            pushed.add(artifact.name());
        }
        if (toPush.isEmpty() && !verified.isEmpty()) {
            writeManifest(manifest);
        }
        if (toPush.isEmpty()) {
            progress.onProgress(0, 0);
        }
        LOG.info("synced {} to {}:{}: {} pushed ({} bytes), {} already there ({} verified by hash)",
                artifacts.size(), transport.target(), directory, pushed.size(), total, skipped.size(), verified.size());
        return new Report(pushed, skipped, verified, total);
    }

    /** Size and mtime of each artifact on the device, or null where it is missing. */
    private List<long[]> statAll(List<Artifact> artifacts) {
        return parseStats(artifacts, DeviceScripts.output(transport, statScript(artifacts)));
    }

    /**
     * One {@code stat} of every artifact, from inside the directory: {@code ./name} keeps names
     * that begin with {@code -} from reading as options, and the printed names are the ones asked
     * for, whatever the device's path of the directory is. A missing file prints nothing.
     */
    private String statScript(List<Artifact> artifacts) {
        StringBuilder script = new StringBuilder("cd ").append(q(directory)).append(" 2>/dev/null && stat -c '%s %Y %n'");
        for (Artifact artifact : artifacts) {
            script.append(' ').append(q("./" + artifact.name()));
        }
        return script.append(" 2>/dev/null; true").toString();
    }

    /** The artifacts' sizes and mtimes out of {@code stat -c '%s %Y %n'} lines; null for one not listed. */
    static List<long[]> parseStats(List<Artifact> artifacts, String output) {
        java.util.Map<String, long[]> byName = new java.util.HashMap<>();
        for (String line : output.split("\n")) {
            String[] fields = line.split(" ", 3);
            if (fields.length == 3 && fields[0].matches("\\d+") && fields[1].matches("\\d+")
                    && fields[2].startsWith("./")) {
                byName.put(fields[2].substring(2), new long[] {Long.parseLong(fields[0]), Long.parseLong(fields[1])});
            }
        }
        List<long[]> stats = new ArrayList<>();
        for (Artifact artifact : artifacts) {
            stats.add(byName.get(artifact.name()));
        }
        return stats;
    }

    private List<String> deviceSha256(List<String> names) {
        StringBuilder script = new StringBuilder();
        for (String name : names) {
            script.append("sha256sum ").append(q(path(name))).append(" 2>/dev/null || echo failed; ");
        }
        String[] lines = DeviceScripts.output(transport, script.toString()).split("\n");
        List<String> hashes = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            String line = i < lines.length ? lines[i] : "";
            hashes.add(line.length() >= 64 ? line.substring(0, 64).toLowerCase(java.util.Locale.ROOT) : "");
        }
        return hashes;
    }

    private void checkFreeSpace(long needed) {
        String df = DeviceScripts.output(transport, "mkdir -p " + q(directory) + " && df -Pk " + q(directory));
        spaceProblem(needed, availableBytes(df)).ifPresent(problem -> {
            throw new DeviceException("not enough space on " + transport.target() + " for " + directory + ": " + problem);
        });
    }

    /** Why {@code needed} bytes do not fit in {@code available} (unknown when negative), if they do not. */
    static java.util.Optional<String> spaceProblem(long needed, long available) {
        if (available < 0 || available >= needed + SPACE_MARGIN_BYTES) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(String.format(java.util.Locale.ROOT,
                "%.1f MB to push (plus %d MB margin), %.1f MB free",
                needed / 1e6, SPACE_MARGIN_BYTES >> 20, available / 1e6));
    }

    /** The "Available" column (KiB) of {@code df -Pk}'s last line, in bytes; -1 when unreadable. */
    static long availableBytes(String dfOutput) {
        String[] lines = dfOutput.strip().split("\n");
        String[] fields = lines[lines.length - 1].trim().split("\\s+");
        if (lines.length < 2 || fields.length < 4 || !fields[3].matches("\\d+")) {
            return -1;
        }
        return Long.parseLong(fields[3]) * 1024;
    }

    private void writeManifest(SyncManifest manifest) {
        byte[] bytes = manifest.toBytes();
        transport.write(path(SyncManifest.MANIFEST_NAME), bytes.length, out -> out.write(bytes), TransferListener.NONE);
    }

    private String path(String name) {
        return directory + "/" + name;
    }

    private static String q(String s) {
        return ShellQuoting.quote(s);
    }

    private static void checkDistinct(List<Artifact> artifacts) {
        Set<String> names = new HashSet<>();
        for (Artifact artifact : artifacts) {
            if (!names.add(artifact.name()) || artifact.name().equals(SyncManifest.MANIFEST_NAME)
                    || artifact.name().equals(LOCK_NAME)) {
                throw new InvalidConfigurationException("artifacts", "duplicate or reserved name " + artifact.name());
            }
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String cachedSha256(HostDigestCache digests, Path file) {
        try {
            return digests.sha256(file, ArtifactSync::sha256);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) {
        try {
            return BundleManifest.sha256(file);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Duration positive(Duration d, String field) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new InvalidConfigurationException(field, "must be positive, was " + d);
        }
        return d;
    }
}

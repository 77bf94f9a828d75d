package dev.fastvlm.core.device;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.CancelledException;
import dev.fastvlm.DeviceException;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The device-side lock of one sync directory: a directory ({@code mkdir} is atomic) holding an
 * {@code owner} line {@code <id> <host> <pid> <lease-end>}, the lease's end in the device's own
 * clock ({@code date +%s}), so host and device clocks need not agree. The holder renews the lease
 * while it syncs. A waiter breaks (and logs) a lock whose lease has ended, or whose owner is gone
 * (a process of this host that no longer runs, or a sync of this JVM that is over), and removes
 * the partial files a dead sync left ({@code .fastvlm-*.part} from pushes, {@code .sync-*.tmp}
 * from adbd). Locks written by older versions (a {@code since} file, no owner) are broken when
 * older than {@code staleAfter}; one without either, after {@link #OWNERLESS_GRACE}.
 */
final class SyncLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SyncLock.class);
    static final String OWNER_FILE = "owner";
    /** How long a lock without an owner line may be waited on (its maker may be writing it). */
    static final Duration OWNERLESS_GRACE = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 200;
    private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(20);
    /** The locks this JVM holds now: one of this process not listed here is left over. */
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();
    private static final String UNKNOWN_HOST = "unknown-host";
    private static final String HOST = hostName();

    private final Transport transport;
    private final String directory;
    private final String lock;
    private final Duration lease;
    private final String id = UUID.randomUUID().toString();
    private final ScheduledExecutorService renewer;
    private String acquiredOutput = "";

    private SyncLock(Transport transport, String directory, Duration lease) {
        this.transport = transport;
        this.directory = directory;
        this.lock = directory + "/" + ArtifactSync.LOCK_NAME;
        this.lease = lease;
        this.renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "fastvlm-sync-lease " + directory);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Takes the lock of {@code directory}, waiting at most {@code timeout} (and the caller's
     * {@link Deadline}) for another holder, then renews it every quarter lease until closed.
     */
    static SyncLock acquire(Transport transport, String directory, Duration lease, Duration timeout,
                            Duration staleAfter) {
        return acquire(transport, directory, lease, timeout, staleAfter, "true");
    }

    /**
     * Takes the lock as {@link #acquire(Transport, String, Duration, Duration, Duration)} does and
     * runs {@code whenAcquired} on the device in the same round trip, right after the lock is
     * taken; its standard output is {@link #acquiredOutput()}.
     */
    static SyncLock acquire(Transport transport, String directory, Duration lease, Duration timeout,
                            Duration staleAfter, String whenAcquired) {
        SyncLock held = new SyncLock(transport, directory, lease);
        try {
            held.acquiredOutput = held.take(timeout, staleAfter, whenAcquired);
        } catch (RuntimeException e) {
            HELD.remove(held.id);
            held.renewer.shutdownNow();
            throw e;
        }
        long every = Math.max(1, lease.toMillis() / 4);
        held.renewer.scheduleWithFixedDelay(held::renew, every, every, TimeUnit.MILLISECONDS);
        return held;
    }

    /** The output of the script run when the lock was taken. */
    String acquiredOutput() {
        return acquiredOutput;
    }

    private String take(Duration timeout, Duration staleAfter, String whenAcquired) {
        String script = "mkdir -p " + q(directory) + "; date +%s; if mkdir " + q(lock) + " 2>/dev/null; then "
                + ownerLine() + " > " + q(lock + "/" + OWNER_FILE) + "; echo acquired; { " + whenAcquired
                + "\n}; else echo held; "
                + "cat " + q(lock + "/" + OWNER_FILE) + " 2>/dev/null || echo none; "
                + "cat " + q(lock + "/since") + " 2>/dev/null || echo none; fi";
        long deadline = System.nanoTime() + timeout.toNanos();
        long ownerlessSince = 0;
        HELD.add(id);
        while (true) {
            String output = DeviceScripts.output(transport, script);
            String[] lines = output.split("\n");
            if (lines.length >= 2 && lines[1].strip().equals("acquired")) {
                String[] head = output.split("\n", 3);
                return head.length == 3 ? head[2] : "";
            }
            long now = number(lines[0]);
            String owner = lines.length >= 3 ? lines[2].strip() : "none";
            long since = lines.length >= 4 ? number(lines[3]) : -1;
            String why = owner.equals("none") ? null : whyBroken(owner, now);
            if (owner.equals("none") && since > 0 && now > 0 && now - since > staleAfter.toSeconds()) {
                why = "untouched for " + (now - since) + " s";
            }
            if (owner.equals("none") && since <= 0) {
                ownerlessSince = ownerlessSince == 0 ? System.nanoTime() : ownerlessSince;
                if (System.nanoTime() - ownerlessSince > OWNERLESS_GRACE.toNanos()) {
                    why = "without an owner for " + OWNERLESS_GRACE.toSeconds() + " s";
                }
            }
            if (why != null) {
                breakLock(owner, why);
                ownerlessSince = 0;
                continue;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new DeviceException("another process has been syncing " + directory + " on "
                        + transport.target() + " for longer than " + timeout.toMillis() + " ms (lock " + lock
                        + ", owner " + owner + "); if none is, remove the lock: adb shell rm -r " + lock);
            }
            pause();
        }
    }

    /** Why the lock whose owner line is {@code owner} is left over, or null while its owner may be live. */
    private static String whyBroken(String owner, long deviceNow) {
        String[] fields = owner.split(" ");
        if (fields.length != 4) {
            return "its owner line is unreadable (" + owner + ")";
        }
        long leaseEnd = number(fields[3]);
        if (deviceNow > 0 && leaseEnd > 0 && deviceNow > leaseEnd) {
            return "its lease ended " + (deviceNow - leaseEnd) + " s ago (owner " + fields[1] + " pid " + fields[2] + ")";
        }
        if (fields[1].equals(HOST) && !HOST.equals(UNKNOWN_HOST)) {
            long pid = number(fields[2]);
            if (pid == HostProcesses.currentPid()) {
                return HELD.contains(fields[0]) ? null : "its sync in this process is over";
            }
            if (HostProcesses.isAlive(pid)) {
                return null;
            }
            return "its owner, process " + fields[2] + " of this host, is gone";
        }
        return null;
    }

    /**
     * Removes the lock if it still has the owner seen, with the partial files of the sync that
     * died; the check and the removal are one script, so a lock just taken by someone else stays.
     */
    private void breakLock(String owner, String why) {
        LOG.warn("breaking the sync lock {} on {}: {}; removing partial files it left", lock, transport.target(), why);
        String current = "cat " + q(lock + "/" + OWNER_FILE) + " 2>/dev/null || echo none";
        DeviceScripts.output(transport, "if [ \"$(" + current + ")\" = " + q(owner) + " ]; then rm -rf " + q(lock)
                + "; find " + q(directory) + " \\( -name '.fastvlm-*.part' -o -name '.sync-*.tmp' \\) -type f"
                + " -exec rm -f {} + 2>/dev/null; fi; true");
    }

    /** Extends the lease, unless the lock is no longer this one's (it was broken meanwhile). */
    private void renew() {
        try {
            DeviceScripts.output(transport, "grep -q " + q("^" + id + " ") + " " + q(lock + "/" + OWNER_FILE)
                    + " 2>/dev/null && " + ownerLine() + " > " + q(lock + "/" + OWNER_FILE) + "; true",
                    lease.dividedBy(4).plusSeconds(1));
        } catch (RuntimeException e) {
            LOG.warn("could not renew the sync lock {} on {}: {}", lock, transport.target(), e.getMessage());
        }
    }

    private String ownerLine() {
        return "echo " + q(id + " " + HOST + " " + HostProcesses.currentPid() + " ") + "$(( $(date +%s) + "
                + Math.max(1, lease.toSeconds()) + " ))";
    }

    /** Stops renewing and removes the lock, even on an interrupted thread or after the deadline. */
    @Override
    public void close() {
        renewer.shutdown();
        try {
            Deadline.cleanUp("releasing the sync lock " + lock, RELEASE_TIMEOUT, () -> {
                try {
                    // A renewal under way is one short script; waiting for it keeps it from logging a failure.
                    renewer.awaitTermination(Deadline.remainingNanos(1_000_000_000L), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                DeviceScripts.output(transport, "grep -q " + q("^" + id + " ") + " " + q(lock + "/" + OWNER_FILE)
                        + " 2>/dev/null && rm -rf " + q(lock) + "; true", RELEASE_TIMEOUT);
            });
        } catch (RuntimeException e) {
            LOG.warn("could not release the sync lock {} on {}: {}", lock, transport.target(), e.getMessage());
        } finally {
            renewer.shutdownNow();
            HELD.remove(id);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(Math.max(1, Math.min(POLL_MILLIS, Deadline.remainingNanos(POLL_MILLIS * 1_000_000) / 1_000_000)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("waiting for a device sync lock was interrupted", e);
        }
        Deadline.cap(Duration.ofMillis(POLL_MILLIS));
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (java.io.IOException e) {
            return UNKNOWN_HOST;
        }
    }

    private static long number(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String q(String s) {
        return ShellQuoting.quote(s);
    }
}

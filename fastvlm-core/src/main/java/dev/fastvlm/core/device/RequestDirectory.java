package dev.fastvlm.core.device;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Collection;
import java.util.UUID;

/**
 * A directory of its own on the device for one request, so concurrent requests never share input
 * or output files. Removed on {@link #close()} unless {@link #keep() kept} for debugging.
 *
 * <p>Reserving one costs no device round trip: the name is unique, and the directory comes into
 * being with the first file written into it, since {@link Transport#write} creates parent
 * directories.
 *
 * <pre>{@code
 * try (RequestDirectory work = RequestDirectory.reserve(transport, "/data/local/tmp/fastvlm/requests")) {
 *     transport.push(pixels, work.resolve("inputs/vision/pixel_values.raw"), progress);
 * }
 * }</pre>
 */
public final class RequestDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDirectory.class);

    private final Transport transport;
    private final String path;
    private volatile boolean keep;
    private boolean closed;

    private RequestDirectory(Transport transport, String path) {
        this.transport = transport;
        this.path = path;
    }

    /**
     * Reserves {@code parent/req-<random>}, which the first file written into it creates.
     *
     * @param transport the device the directory is on
     * @param parent an absolute device path, normally {@code <device directory>/requests}
     * @return the reserved directory, not yet created
     * @throws dev.fastvlm.InvalidConfigurationException when {@code parent} is not an absolute path
     */
    public static RequestDirectory reserve(Transport transport, String parent) {
        DeviceScripts.checkDevicePath(parent);
        return new RequestDirectory(transport, parent + "/req-" + UUID.randomUUID());
    }

    /**
     * Removes the directories {@code parent/req-*} untouched (by the device's clock) for longer than
     * {@code olderThan}, left by requests that could not remove theirs (a dead link, a killed
     * process) and too old to belong to a request still running, and the directories
     * {@code leftovers} (of requests known to be over), in one device round trip.
     *
     * @param transport the device
     * @param parent the absolute device path the request directories are in
     * @param olderThan age, by the directory's modification time, past which a directory is removed; whole seconds
     *     count
     * @param leftovers absolute device paths of directories to remove whatever their age
     * @throws dev.fastvlm.InvalidConfigurationException when a path is not absolute
     * @throws dev.fastvlm.DeviceToolException when the script fails
     */
    public static void sweep(Transport transport, String parent, Duration olderThan, Collection<String> leftovers) {
        DeviceScripts.checkDevicePath(parent);
        StringBuilder script = new StringBuilder();
        for (String leftover : leftovers) {
            DeviceScripts.checkDevicePath(leftover);
            script.append("rm -rf ").append(ShellQuoting.quote(leftover)).append("; ");
        }
        script.append("now=$(date +%s); for d in ").append(ShellQuoting.quote(parent)).append("/req-*; do ")
                .append("[ -d \"$d\" ] || continue; m=$(stat -c %Y \"$d\" 2>/dev/null) || continue; ")
                .append("[ $((now - m)) -gt ").append(olderThan.toSeconds())
                .append(" ] && rm -rf \"$d\" && echo \"$d\"; done; true");
        DeviceScripts.output(transport, script.toString()).lines().forEach(swept ->
                LOG.info("removed the stale request directory {} on {}", swept, transport.target()));
    }

    /** {@return the directory's absolute device path} */
    public String path() {
        return path;
    }

    /**
     * A path inside the directory.
     *
     * @param relative a path relative to the directory, such as {@code inputs/pixel_values.raw}
     * @return the absolute device path
     */
    public String resolve(String relative) {
        return path + "/" + relative;
    }

    /**
     * Leaves the directory on the device when closed, and logs where it is.
     *
     * @return this directory
     */
    public RequestDirectory keep() {
        keep = true;
        return this;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (keep) {
            LOG.info("kept request directory {} on {}", path, transport.target());
            return;
        }
        // A cancelled request closes its directory on an interrupted thread; the removal must still run.
        boolean interrupted = Thread.interrupted();
        try {
            DeviceScripts.output(transport, "rm -rf " + ShellQuoting.quote(path));
        } catch (RuntimeException e) {
            LOG.warn("could not remove request directory {} on {}: {}", path, transport.target(), e.getMessage());
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

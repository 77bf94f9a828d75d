package dev.fastvlm.core.pipeline;

import dev.fastvlm.DeviceToolException;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.Transport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.UUID;

/**
 * A directory of the device that belongs to one request, so that concurrent requests never share
 * input or output files. Removed on {@link #close()} unless the caller keeps it for debugging.
 */
final class RequestDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDirectory.class);
    private static final Duration HOUSEKEEPING_TIMEOUT = Duration.ofSeconds(30);

    private final Transport transport;
    private final String path;
    private final boolean keep;

    private RequestDirectory(Transport transport, String path, boolean keep) {
        this.transport = transport;
        this.path = path;
        this.keep = keep;
    }

    static RequestDirectory create(Transport transport, String deviceDir, boolean keep) {
        String path = deviceDir + "/requests/" + UUID.randomUUID();
        run(transport, DeviceCommand.of("mkdir", "-p", path).withTimeout(HOUSEKEEPING_TIMEOUT));
        return new RequestDirectory(transport, path, keep);
    }

    static void run(Transport transport, DeviceCommand command) {
        CommandResult result = transport.run(command, OutputListener.NONE);
        if (!result.succeeded()) {
            throw new DeviceToolException(command.program(), result.exitCode(), result.stderrTail());
        }
    }

    /** The device path of {@code name} inside this directory. */
    String file(String name) {
        return path + "/" + name;
    }

    String path() {
        return path;
    }

    @Override
    public void close() {
        if (keep) {
            LOG.info("kept request directory {} on {}", path, transport.target());
            return;
        }
        try {
            run(transport, DeviceCommand.of("rm", "-rf", path).withTimeout(HOUSEKEEPING_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.warn("could not remove request directory {} on {}: {}", path, transport.target(), e.getMessage());
        }
    }
}

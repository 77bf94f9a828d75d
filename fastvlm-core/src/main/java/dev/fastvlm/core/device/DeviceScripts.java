package dev.fastvlm.core.device;

import dev.fastvlm.DeviceToolException;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.Transport;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small housekeeping shell scripts (mkdir, mv, sha256sum, df) run through any Transport. */
public final class DeviceScripts {

    public static final Duration HOUSEKEEPING_TIMEOUT = Duration.ofMinutes(2);

    private DeviceScripts() {
    }

    /** Runs {@code script} with {@code sh -c}; returns its stdout, or throws if it exits non-zero. */
    public static String output(Transport transport, String script) {
        return output(transport, script, HOUSEKEEPING_TIMEOUT);
    }

    /**
     * Runs {@code script} with {@code sh -c} for at most {@code timeout}, or what the thread's
     * {@link Deadline} leaves if that is less; returns its stdout, or throws if it exits non-zero.
     */
    public static String output(Transport transport, String script, Duration timeout) {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        CommandResult result = transport.run(DeviceCommand.of("sh", "-c", script).withTimeout(Deadline.cap(timeout)),
                new OutputListener() {
                    @Override
                    public void onStdout(byte[] data, int offset, int length) {
                        stdout.write(data, offset, length);
                    }
                });
        if (!result.succeeded()) {
            throw new DeviceToolException("sh -c " + script, result.exitCode(), result.stderrTail());
        }
        return stdout.toString(StandardCharsets.UTF_8);
    }

    /** The directory part of an absolute device path ({@code /} for top-level names). */
    public static String parent(String devicePath) {
        int slash = devicePath.lastIndexOf('/');
        return slash <= 0 ? "/" : devicePath.substring(0, slash);
    }

    public static String fileName(String devicePath) {
        return devicePath.substring(devicePath.lastIndexOf('/') + 1);
    }

    /** Rejects anything but an absolute device file path. */
    public static void checkDevicePath(String devicePath) {
        if (devicePath == null || !devicePath.startsWith("/") || devicePath.endsWith("/")
                || devicePath.indexOf('\0') >= 0) {
            throw new InvalidConfigurationException("devicePath",
                    "must be an absolute file path without NUL characters, was " + devicePath);
        }
    }
}

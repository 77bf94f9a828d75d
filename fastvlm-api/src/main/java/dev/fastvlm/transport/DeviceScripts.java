package dev.fastvlm.transport;

import dev.fastvlm.DeviceToolException;
import dev.fastvlm.InvalidConfigurationException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/** Small housekeeping shell scripts (mkdir, mv, sha256sum, df) run through any Transport. */
public final class DeviceScripts {

    /** The limit of one housekeeping script when the caller gives none: 2 minutes. */
    public static final Duration HOUSEKEEPING_TIMEOUT = Duration.ofMinutes(2);

    private DeviceScripts() {
    }

    /**
     * Runs {@code script} with {@code sh -c}; returns its stdout, or throws if it exits non-zero.
     *
     * @param transport the device
     * @param script a POSIX shell script; quote any value in it with {@link ShellQuoting#quote}
     * @return what the script wrote to stdout, decoded as UTF-8
     * @throws DeviceToolException when the script exits with a non-zero code
     */
    public static String output(Transport transport, String script) {
        return output(transport, script, HOUSEKEEPING_TIMEOUT);
    }

    /**
     * Runs {@code script} with {@code sh -c} for at most {@code timeout}, or what the thread's
     * {@link Deadline} leaves if that is less; returns its stdout, or throws if it exits non-zero.
     *
     * @param transport the device
     * @param script a POSIX shell script; quote any value in it with {@link ShellQuoting#quote}
     * @param timeout the longest the script may run
     * @return what the script wrote to stdout, decoded as UTF-8
     * @throws DeviceToolException when the script exits with a non-zero code
     * @throws dev.fastvlm.FastVlmTimeoutException when the script outlives its time (it is stopped)
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

    /**
     * The directory part of an absolute device path ({@code /} for top-level names).
     *
     * @param devicePath an absolute device path
     * @return the path without its last segment
     */
    public static String parent(String devicePath) {
        int slash = devicePath.lastIndexOf('/');
        return slash <= 0 ? "/" : devicePath.substring(0, slash);
    }

    /**
     * The last segment of a device path.
     *
     * @param devicePath a device path
     * @return the part after the last {@code /}
     */
    public static String fileName(String devicePath) {
        return devicePath.substring(devicePath.lastIndexOf('/') + 1);
    }

    /**
     * Rejects anything but an absolute device file path.
     *
     * @param devicePath the path to check
     * @throws InvalidConfigurationException when it is null, relative, ends with {@code /} or holds a NUL
     */
    public static void checkDevicePath(String devicePath) {
        if (devicePath == null || !devicePath.startsWith("/") || devicePath.endsWith("/")
                || devicePath.indexOf('\0') >= 0) {
            throw new InvalidConfigurationException("devicePath",
                    "must be an absolute file path without NUL characters, was " + devicePath);
        }
    }
}

package dev.fastvlm.emulator.shell;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs device command lines with the host's {@code /bin/sh} in the sandbox's view of the device.
 *
 * <p>The shell starts in the sandbox root (the device's {@code /}), and every absolute path under
 * one of the device's top-level folders ({@code /data}, {@code /sdcard}, {@code /vendor},
 * {@code /system}, ...) that starts a word of the command line (after a blank, a quote,
 * {@code =}, {@code :}, {@code ;}, ...) is rewritten to the same path inside the sandbox. That is
 * enough for what a client sends a device ({@code cd /data/local/tmp/x && LD_LIBRARY_PATH=/data/...
 * ./tool --flag /data/...}), and needs no privileges. Its limits: paths a program builds at run
 * time from pieces, or reads from files, are not rewritten; programs print host paths where a
 * device would print device paths; other host folders ({@code /tmp}, {@code /usr}) stay visible
 * to shell commands (only the file services are confined); and the sandbox path must not contain
 * characters the shell treats specially.
 */
public final class DeviceShell {
    private static final Pattern DEVICE_PATH = Pattern.compile(
            "(^|[\\s'\"=:;,(|&<>`])(/(?:data|sdcard|storage|vendor|system|odm|product|apex|dsp)(?=$|[/\\s'\";:,)|&<>`]))");

    private final Path root;
    private final Map<String, String> environment;

    /**
     * @param root        the sandbox folder (the device's {@code /})
     * @param environment variables every command gets on top of a minimal device-like set
     */
    public DeviceShell(Path root, Map<String, String> environment) {
        this.root = root;
        this.environment = Map.copyOf(environment);
    }

    /**
     * The command line with device paths rewritten into the sandbox.
     *
     * @param command a device shell command line
     * @return the command line to run on the host
     */
    public String rewrite(String command) {
        Matcher m = DEVICE_PATH.matcher(command);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + root + m.group(2)));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * Starts {@code /bin/sh -c command} (or an interactive {@code /bin/sh} for an empty command).
     *
     * @param mergeStderr send stderr to stdout, as adbd does for services without the shell protocol
     * @param command a device shell command line; blank for an interactive shell
     * @return the started process, in the sandbox folder with the device-like environment
     * @throws IOException when {@code /bin/sh} cannot be started
     */
    public Process start(String command, boolean mergeStderr) throws IOException {
        List<String> argv = command.isBlank() ? List.of("/bin/sh") : List.of("/bin/sh", "-c", rewrite(command));
        ProcessBuilder pb = new ProcessBuilder(argv).directory(root.toFile()).redirectErrorStream(mergeStderr);
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", root.resolve("system/bin") + File.pathSeparator + "/usr/local/bin:/usr/bin:/bin");
        env.put("HOME", root.resolve("data/local/tmp").toString());
        env.put("TMPDIR", root.resolve("data/local/tmp").toString());
        env.put("ANDROID_ROOT", root.resolve("system").toString());
        env.put("ANDROID_DATA", root.resolve("data").toString());
        env.put("EXTERNAL_STORAGE", root.resolve("sdcard").toString());
        env.put("LANG", "C.UTF-8");
        env.putAll(environment);
        return pb.start();
    }
}

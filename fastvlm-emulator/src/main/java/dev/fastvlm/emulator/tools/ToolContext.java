package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.EmulatedSoc;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.ToolEnvironment;
import dev.fastvlm.emulator.fs.DeviceFileSystem;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an emulated device program sees: its working folder, its environment, and the device's
 * file system. Paths that reach it as arguments were already mapped by the emulator's shell;
 * paths it reads from files (input lists, configs) are device paths and are mapped here.
 */
final class ToolContext {
    private static final String SETTINGS_PREFIX = "FASTVLM_EMULATOR_";
    private final Map<String, String> env;
    private final Path cwd;
    private final Path sandbox;

    ToolContext(Map<String, String> env, Path cwd) {
        this.env = env;
        this.cwd = cwd;
        String root = env.get(ToolEnvironment.SANDBOX);
        this.sandbox = root == null || root.isEmpty() ? null : Path.of(root);
    }

    /**
     * This process's context. Under the restricted shell, the device's environment comes packed in
     * {@link ToolEnvironment#DEVICE_ENVIRONMENT}; the emulator's own {@code FASTVLM_EMULATOR_}
     * settings are taken only from the real environment.
     */
    static ToolContext current() {
        Map<String, String> env = new HashMap<>(System.getenv());
        String device = env.remove(ToolEnvironment.DEVICE_ENVIRONMENT);
        if (device != null) {
            Map<String, String> merged = new HashMap<>(ToolEnvironment.decode(device));
            merged.keySet().removeIf(name -> name.startsWith(SETTINGS_PREFIX));
            env.forEach((name, value) -> {
                if (name.startsWith(SETTINGS_PREFIX)) {
                    merged.put(name, value);
                }
            });
            env = merged;
        }
        return new ToolContext(env, Path.of("").toAbsolutePath());
    }

    String env(String name) {
        String v = env.get(name);
        return v == null ? "" : v;
    }

    /**
     * The folder where a tool may keep what it derives from its inputs between runs ({@link
     * ToolEnvironment#TOOL_CACHE}), if any. None under the restricted shell, whose tools run on the
     * host: a symbolic link the device's user made there could lead their writes out of the sandbox.
     */
    Optional<Path> cache() {
        String dir = env(ToolEnvironment.TOOL_CACHE);
        return dir.isEmpty() || sandbox != null || !Path.of(dir).isAbsolute() ? Optional.empty() : Optional.of(Path.of(dir));
    }

    EmulatedTiming timing() {
        return EmulatedTiming.parse(env.get(ToolEnvironment.TIMING));
    }

    /** The HTP architecture of the emulated chip, e.g. {@code 79}. */
    String htpArch() {
        String soc = env(ToolEnvironment.SOC);
        EmulatedSoc chip = soc.isEmpty() ? EmulatedSoc.SM8750 : EmulatedSoc.fromModel(soc);
        return chip.dspArch().substring(1);
    }

    /**
     * A path as the device program would open it. Inside namespaces (or on a host) paths are the
     * program's own; under the restricted shell they are device paths, mapped into the sandbox with
     * {@code ..} stopping at the device's {@code /}.
     */
    Path path(String p) {
        if (sandbox == null) {
            Path given = Path.of(p);
            return given.isAbsolute() ? given.normalize() : cwd.resolve(given).normalize();
        }
        String device = p.startsWith("/") ? p : shown(cwd) + "/" + p;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : device.split("/")) {
            if (part.equals("..")) {
                parts.pollLast();
            } else if (!part.isEmpty() && !part.equals(".")) {
                parts.addLast(part);
            }
        }
        Path host = sandbox;
        try {
            for (String part : DeviceFileSystem.components("/" + String.join("/", parts))) {
                host = host.resolve(part);
            }
        } catch (DeviceFileSystem.SandboxEscapeException e) {
            throw new ToolFailure(e.getMessage());
        }
        return host;
    }

    /**
     * A path argument as the program received it on the device: relative ones as given, absolute
     * ones (which the emulator's shell mapped into the sandbox) as the device path.
     */
    String shownArgument(String argument) {
        Path given = Path.of(argument);
        return given.isAbsolute() ? shown(given) : argument;
    }

    /** A host path shown as the device path it stands for. */
    String shown(Path host) {
        if (sandbox != null && host.startsWith(sandbox)) {
            return "/" + sandbox.relativize(host).toString();
        }
        return host.toString();
    }

    /**
     * Finds a shared library the way the dynamic loader (or the DSP's loader) would, through a
     * search path variable.
     */
    void requireLibrary(String library, String variable, String separator) {
        if (library.contains("/")) {
            if (!Files.isRegularFile(path(library))) {
                throw new ToolFailure("dlopen failed: library \"" + library + "\" not found");
            }
            return;
        }
        for (String dir : env(variable).split(separator)) {
            if (!dir.isBlank() && Files.isRegularFile(path(dir.strip()).resolve(library))) {
                return;
            }
        }
        throw new ToolFailure("dlopen failed: library \"" + library + "\" not found (searched " + variable + "="
                + env(variable) + ")");
    }

    void requireLd(String library) {
        requireLibrary(library, "LD_LIBRARY_PATH", ":");
    }

    void requireAdsp(String library) {
        requireLibrary(library, "ADSP_LIBRARY_PATH", ";");
    }

    void sleep(long millis) {
        if (timing().sleep() && millis > 0) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

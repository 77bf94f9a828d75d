package dev.fastvlm.emulator.shell;

import java.io.File;
import java.util.List;
import java.util.Map;

/**
 * What the emulated tools (JVM programs started by the emulated SDK's scripts) run with.
 *
 * @param javaCommand the host's {@code java} executable
 * @param classpath   the host class path holding the emulator and its dependencies
 * @param settings    {@link dev.fastvlm.emulator.ToolEnvironment} variables other than the java
 *                    command, class path and sandbox (timing, chip, faults), which hold no host path
 */
public record ToolRuntime(String javaCommand, String classpath, Map<String, String> settings) {
    /**
     * Copies the settings.
     *
     * @param javaCommand the host's {@code java} executable
     * @param classpath the host class path holding the emulator and its dependencies
     * @param settings tool variables that hold no host path (timing, chip, faults)
     */
    public ToolRuntime {
        settings = Map.copyOf(settings);
    }

    List<String> classpathEntries() {
        return List.of(classpath.split(File.pathSeparator)).stream().filter(e -> !e.isEmpty()).toList();
    }
}

package dev.fastvlm.emulator;

/**
 * Environment variables through which the emulator's shell hands its settings to the emulated
 * device programs (which run as separate processes, started by the scripts of the emulated SDK).
 */
public final class ToolEnvironment {
    /** The {@code java} executable the SDK's program scripts exec. */
    public static final String JAVA = "FASTVLM_EMULATOR_JAVA";
    /** The class path those scripts run with. */
    public static final String CLASSPATH = "FASTVLM_EMULATOR_CLASSPATH";
    /** The host folder of the device's {@code /}. */
    public static final String SANDBOX = "FASTVLM_EMULATOR_SANDBOX";
    /** {@link EmulatedTiming#encode()}. */
    public static final String TIMING = "FASTVLM_EMULATOR_TIMING";
    /** The emulated chip, e.g. {@code SM8750}. */
    public static final String SOC = "FASTVLM_EMULATOR_SOC";
    /** Space-separated {@code tool=exitCode} faults. */
    public static final String FAIL_TOOLS = "FASTVLM_EMULATOR_FAIL_TOOLS";
    /** Space-separated names of tools that hang. */
    public static final String HANG_TOOLS = "FASTVLM_EMULATOR_HANG_TOOLS";

    private ToolEnvironment() {
    }

    /**
     * This JVM's class path with every entry made absolute: the tool scripts run in the sandbox, so
     * a relative entry (as in {@code java -jar examples/target/fastvlm.jar}) would not resolve there.
     */
    public static String currentClasspath() {
        return java.util.Arrays.stream(System.getProperty("java.class.path").split(java.io.File.pathSeparator))
                .filter(entry -> !entry.isEmpty())
                .map(entry -> java.nio.file.Path.of(entry).toAbsolutePath().toString())
                .collect(java.util.stream.Collectors.joining(java.io.File.pathSeparator));
    }
}

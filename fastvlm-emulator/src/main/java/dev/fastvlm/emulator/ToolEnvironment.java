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
     * The class path holding the emulator and everything its tools load, as absolute entries (the
     * tool scripts run in the sandbox): found from where this JVM loaded the emulator's classes, so it
     * is right under {@code java -jar}, {@code mvn exec:java}, test runners and IDEs alike.
     *
     * @return the entries joined with the platform's path separator
     */
    public static String currentClasspath() {
        return ToolClasspath.current();
    }
}

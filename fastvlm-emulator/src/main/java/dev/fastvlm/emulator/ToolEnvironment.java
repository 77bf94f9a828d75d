package dev.fastvlm.emulator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Environment variables through which the emulator's shell hands its settings to the emulated
 * device programs (which run as separate processes, started by the scripts of the emulated SDK).
 */
public final class ToolEnvironment {
    /** The {@code java} executable the SDK's program scripts exec. */
    public static final String JAVA = "FASTVLM_EMULATOR_JAVA";
    /** The class path those scripts run with. */
    public static final String CLASSPATH = "FASTVLM_EMULATOR_CLASSPATH";
    /**
     * The host folder of the device's {@code /}, given to the tools only by the restricted shell
     * (whose tools run on the host); inside namespaces the device's {@code /} is the tools' own.
     */
    public static final String SANDBOX = "FASTVLM_EMULATOR_SANDBOX";
    /**
     * The device's environment for a tool the restricted shell runs on the host, {@link
     * #encode encoded} in this one variable so that none of it (say {@code LD_PRELOAD} or
     * {@code LD_LIBRARY_PATH}) reaches the host's dynamic loader or JVM.
     */
    public static final String DEVICE_ENVIRONMENT = "FASTVLM_EMULATOR_DEVICE_ENV";
    /** {@link EmulatedTiming#encode()}. */
    public static final String TIMING = "FASTVLM_EMULATOR_TIMING";
    /** The emulated chip, e.g. {@code SM8750}. */
    public static final String SOC = "FASTVLM_EMULATOR_SOC";
    /**
     * A device folder where the tools keep what they derive from their inputs between runs (the
     * plain Java tokenizer's parsed {@code tokenizer.json}); set by the namespace shell only.
     */
    public static final String TOOL_CACHE = "FASTVLM_EMULATOR_TOOL_CACHE";
    /**
     * Where the device programs' class data archives go, without the {@code -<tool>.jsa} ending
     * (set when {@link EmulatorOptions#toolClassSharing()}): a device path under {@link #CACHE_DIR}
     * named after the JDK and the class path, so that a new jar or JDK gets new archives instead of
     * archives the JVM would refuse.
     */
    public static final String TOOL_CDS = "FASTVLM_EMULATOR_TOOL_CDS";
    /** The device folder of {@link #TOOL_CACHE} and {@link #TOOL_CDS}. */
    public static final String CACHE_DIR = "/data/local/tmp/.fastvlm-emulator";
    /** Space-separated {@code tool=exitCode} faults. */
    public static final String FAIL_TOOLS = "FASTVLM_EMULATOR_FAIL_TOOLS";
    /** Space-separated names of tools that hang. */
    public static final String HANG_TOOLS = "FASTVLM_EMULATOR_HANG_TOOLS";

    private ToolEnvironment() {
    }

    /**
     * Packs variables into one string: {@code name=value} lines, with backslashes and line breaks
     * in values escaped.
     *
     * @param variables the variables
     * @return their encoding, for {@link #decode}
     */
    public static String encode(Map<String, String> variables) {
        StringBuilder out = new StringBuilder();
        variables.forEach((name, value) -> out.append(name).append('=')
                .append(value.replace("\\", "\\\\").replace("\n", "\\n")).append('\n'));
        return out.toString();
    }

    /**
     * Unpacks what {@link #encode} packed.
     *
     * @param encoded the encoding
     * @return the variables, in order
     */
    public static Map<String, String> decode(String encoded) {
        Map<String, String> variables = new LinkedHashMap<>();
        for (String line : encoded.split("\n")) {
            int eq = line.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            StringBuilder value = new StringBuilder();
            for (int i = eq + 1; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '\\' && i + 1 < line.length()) {
                    char next = line.charAt(++i);
                    value.append(next == 'n' ? '\n' : next);
                } else {
                    value.append(c);
                }
            }
            variables.put(line.substring(0, eq), value.toString());
        }
        return variables;
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

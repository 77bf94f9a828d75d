package dev.fastvlm.emulator.tools;

/**
 * Ends an emulated tool: {@link #stdout()} goes to standard output, the message to stderr, and the
 * process exits with the code. Qualcomm's tools print some failures on stdout (genie-t2t-run's
 * {@code File X doesn't exists or is in bad shape.}, Genie's own log lines), others on stderr.
 */
final class ToolFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final boolean usage;
    private final String stdout;

    ToolFailure(String message) {
        this(message, 1, false);
    }

    ToolFailure(String message, int exitCode, boolean usage) {
        this("", message, exitCode, usage);
    }

    ToolFailure(String stdout, String message, int exitCode, boolean usage) {
        super(message);
        this.stdout = stdout;
        this.exitCode = exitCode;
        this.usage = usage;
    }

    int exitCode() {
        return exitCode;
    }

    boolean printUsage() {
        return usage;
    }

    /** What the tool prints on stdout before it ends (possibly empty; lines end with a newline). */
    String stdout() {
        return stdout;
    }

    static ToolFailure unknownOption(String option) {
        return new ToolFailure("Unknown option: " + option, 1, true);
    }
}

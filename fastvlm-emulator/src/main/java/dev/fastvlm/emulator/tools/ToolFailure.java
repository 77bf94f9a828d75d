package dev.fastvlm.emulator.tools;

/** Ends an emulated tool: the message goes to stderr and the process exits with the code. */
final class ToolFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int exitCode;
    private final boolean usage;

    ToolFailure(String message) {
        this(message, 1, false);
    }

    ToolFailure(String message, int exitCode, boolean usage) {
        super(message);
        this.exitCode = exitCode;
        this.usage = usage;
    }

    int exitCode() {
        return exitCode;
    }

    boolean printUsage() {
        return usage;
    }

    static ToolFailure unknownOption(String option) {
        return new ToolFailure("Unknown option: " + option, 1, true);
    }
}

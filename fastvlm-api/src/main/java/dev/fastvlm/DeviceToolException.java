package dev.fastvlm;

/**
 * A program on the device ({@code qnn-net-run}, {@code genie-t2t-run}, ...) ended with a non-zero
 * exit code. Carries the code and the last lines the program wrote to stderr.
 */
public class DeviceToolException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    private final String tool;
    private final int exitCode;
    private final String stderrTail;

    public DeviceToolException(String tool, int exitCode, String stderrTail) {
        super(tool + " exited with code " + exitCode
                + (stderrTail == null || stderrTail.isBlank() ? "" : ":\n" + stderrTail.strip()));
        this.tool = tool;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /** The program's name, as run on the device. */
    public String tool() {
        return tool;
    }

    public int exitCode() {
        return exitCode;
    }

    /** The end of what the program wrote to stderr (possibly empty). */
    public String stderrTail() {
        return stderrTail;
    }
}

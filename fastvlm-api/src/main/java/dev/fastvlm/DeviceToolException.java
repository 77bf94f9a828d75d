package dev.fastvlm;

/**
 * A program on the device ({@code qnn-net-run}, {@code genie-t2t-run}, ...) ended with a non-zero
 * exit code. Carries the code and the last lines the program wrote to stderr.
 */
public class DeviceToolException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    /** The program's name, as run on the device. */
    private final String tool;
    /** The program's exit code. */
    private final int exitCode;
    /** The end of the program's stderr, never null. */
    private final String stderrTail;

    /**
     * A program that failed.
     *
     * @param tool the program's name, as run on the device
     * @param exitCode its non-zero exit code
     * @param stderrTail the last lines it wrote to stderr; {@code null} counts as empty
     */
    public DeviceToolException(String tool, int exitCode, String stderrTail) {
        super(tool + " exited with code " + exitCode
                + (stderrTail == null || stderrTail.isBlank() ? "" : ":\n" + stderrTail.strip()));
        this.tool = tool;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
    }

    /**
     * The program's name, as run on the device.
     *
     * @return the program's name, for example {@code genie-t2t-run}
     */
    public String tool() {
        return tool;
    }

    /**
     * The exit code the program ended with.
     *
     * @return a non-zero exit code
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * The end of what the program wrote to stderr (possibly empty).
     *
     * @return the last lines of stderr as received; empty when the program wrote none
     */
    public String stderrTail() {
        return stderrTail;
    }
}

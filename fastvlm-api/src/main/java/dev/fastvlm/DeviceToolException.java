package dev.fastvlm;

/**
 * A program on the device ({@code qnn-net-run}, {@code genie-t2t-run}, ...) failed. Carries its exit
 * code and the last things it wrote on both streams: Qualcomm's tools print some of their reasons
 * on standard output ({@code genie-t2t-run} reports a missing file as
 * {@code File X doesn't exists or is in bad shape.} there), so stderr alone can be empty. For
 * {@code genie-t2t-run} the stdout tail leaves out the answer text.
 */
public class DeviceToolException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    /** The program's name, as run on the device. */
    private final String tool;
    /** The program's exit code. */
    private final int exitCode;
    /** The end of the program's stderr, never null. */
    private final String stderrTail;
    /** The end of the program's stdout without any answer text, never null. */
    private final String stdoutTail;

    /**
     * A failure known only by its stderr.
     *
     * @param tool       the program's name
     * @param exitCode   its exit code
     * @param stderrTail the end of what it wrote to stderr, or null
     */
    public DeviceToolException(String tool, int exitCode, String stderrTail) {
        this(tool, exitCode, stderrTail, "");
    }

    /**
     * A failure with both of the program's output streams.
     *
     * @param tool       the program's name
     * @param exitCode   its exit code
     * @param stderrTail the end of what it wrote to stderr, or null
     * @param stdoutTail the end of what it wrote to stdout (without an answer's text), or null
     */
    public DeviceToolException(String tool, int exitCode, String stderrTail, String stdoutTail) {
        this(tool + " exited with code " + exitCode, tool, exitCode, stderrTail, stdoutTail);
    }

    /**
     * For subclasses that say more than the exit code.
     *
     * @param summary    the first line of the message
     * @param tool       the program's name
     * @param exitCode   its exit code
     * @param stderrTail the end of what it wrote to stderr, or null
     * @param stdoutTail the end of what it wrote to stdout, or null
     */
    protected DeviceToolException(String summary, String tool, int exitCode, String stderrTail, String stdoutTail) {
        super(summary + streams(stderrTail, stdoutTail));
        this.tool = tool;
        this.exitCode = exitCode;
        this.stderrTail = stderrTail == null ? "" : stderrTail;
        this.stdoutTail = stdoutTail == null ? "" : stdoutTail;
    }

    private static String streams(String stderr, String stdout) {
        boolean err = stderr != null && !stderr.isBlank();
        boolean out = stdout != null && !stdout.isBlank();
        if (!out) {
            return err ? ":\n" + stderr.strip() : "";
        }
        return ":\nstdout: " + stdout.strip() + (err ? "\nstderr: " + stderr.strip() : "");
    }

    /**
     * The program's name, as run on the device.
     *
     * @return e.g. {@code genie-t2t-run}
     */
    public String tool() {
        return tool;
    }

    /**
     * The program's exit code.
     *
     * @return the code (0 when the program succeeded but its output was not whole)
     */
    public int exitCode() {
        return exitCode;
    }

    /**
     * The end of what the program wrote to stderr.
     *
     * @return the text, possibly empty
     */
    public String stderrTail() {
        return stderrTail;
    }

    /**
     * The end of what the program wrote to stdout, without the text of an answer.
     *
     * @return the text, possibly empty
     */
    public String stdoutTail() {
        return stdoutTail;
    }
}

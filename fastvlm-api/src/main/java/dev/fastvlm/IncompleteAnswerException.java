package dev.fastvlm;

/**
 * Genie's answer did not come back whole: {@code genie-t2t-run} (or the Genie library) reported the
 * query as aborted ({@code [ABORT]: }), stopped before closing the answer with {@code [END]}, or
 * printed no answer at all. A request never returns such an answer as a successful
 * {@link Description}; this exception carries what did arrive, {@link #partialAnswer()}, so a
 * caller that wants it can still show it.
 */
public class IncompleteAnswerException extends DeviceToolException {
    private static final long serialVersionUID = 1L;

    /** How the answer fell short. */
    public enum Reason {
        /** Genie reported the query as aborted ({@code [ABORT]: } and its reason). */
        ABORTED,
        /** The answer began but was never closed by {@code [END]}. */
        NO_END,
        /** No answer began ({@code [BEGIN]: } never came). */
        NO_ANSWER
    }

    /** How the answer fell short. */
    private final Reason reason;
    /** What the tool had answered before it stopped, never null. */
    private final String partialAnswer;

    /**
     * The answer of {@code tool} fell short.
     *
     * @param tool          the program's name
     * @param exitCode      its exit code
     * @param reason        how the answer fell short
     * @param partialAnswer the answer text that did arrive (possibly empty)
     * @param stderrTail    the end of what it wrote to stderr, or null
     * @param stdoutTail    the end of what it wrote to stdout without the answer (with an abort's reason),
     *                      or null
     */
    public IncompleteAnswerException(String tool, int exitCode, Reason reason, String partialAnswer,
                                     String stderrTail, String stdoutTail) {
        super(tool + " " + describe(reason) + " (exit code " + exitCode + ")", tool, exitCode, stderrTail,
                stdoutTail);
        this.reason = reason;
        this.partialAnswer = partialAnswer == null ? "" : partialAnswer;
    }

    private static String describe(Reason reason) {
        return switch (reason) {
            case ABORTED -> "reported the query as aborted";
            case NO_END -> "stopped before the end of its answer ([END] missing)";
            case NO_ANSWER -> "printed no answer ([BEGIN] missing)";
        };
    }

    /**
     * How the answer fell short.
     *
     * @return the reason
     */
    public Reason reason() {
        return reason;
    }

    /**
     * The answer text that did arrive before the answer stopped.
     *
     * @return the text, possibly empty
     */
    public String partialAnswer() {
        return partialAnswer;
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.DeviceToolException;
import dev.fastvlm.IncompleteAnswerException;
import dev.fastvlm.TokenListener;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.OutputListener;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code genie-t2t-run}'s standard output as it streams and hands the answer to a
 * {@link TokenListener}: everything between {@code [BEGIN]: } and {@code [END]}, exactly as printed.
 * The rest of standard output (the version line, Genie's log lines, an abort's reason, what follows
 * {@code [END]}) is kept apart, its tail for error messages.
 *
 * <p>Output arrives in arbitrary chunks, so a marker or a multi-byte character may be split across
 * reads: bytes are decoded incrementally, and text that could still turn out to be the start of a
 * marker is held back until the next chunk decides. Nothing of the answer is lost or repeated.
 *
 * <p>{@link #check} turns a run whose answer is not whole into an exception: an {@code [ABORT]: },
 * a missing {@code [END]} or no answer at all is an {@link IncompleteAnswerException}, never a
 * success.
 */
final class GenieAnswerStream implements OutputListener {

    /** genie-t2t-run prints {@code "[BEGIN]: "}; a copy that lost the trailing space is read too. */
    static final String BEGIN = "[BEGIN]:";
    static final String COMPLETE = "[COMPLETE]: ";
    static final String RESUME = "[RESUME]: ";
    static final String END = "[END]";
    static final String ABORT = "[ABORT]: ";
    /** Markers that close an answer. */
    private static final List<String> CLOSERS = List.of(END, ABORT);
    private static final Pattern VERSION = Pattern.compile("Using libGenie\\.so version (\\S+)");
    /** How much of the non-answer output is kept for messages. */
    private static final int TAIL = 4000;

    private enum State { PREAMBLE, ANSWER, DONE }

    private final TokenListener listener;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final CharBuffer decoded = CharBuffer.allocate(8192);
    private ByteBuffer pendingBytes = ByteBuffer.allocate(0);
    private final StringBuilder preamble = new StringBuilder();
    private final StringBuilder outside = new StringBuilder();
    private final StringBuilder answer = new StringBuilder();
    private final StringBuilder heldBack = new StringBuilder();
    private State state = State.PREAMBLE;
    private String version;
    private boolean aborted;
    private boolean ended;
    private boolean started;

    GenieAnswerStream(TokenListener listener) {
        this.listener = listener;
    }

    @Override
    public synchronized void onStdout(byte[] data, int offset, int length) {
        ByteBuffer in = ByteBuffer.allocate(pendingBytes.remaining() + length);
        ((java.nio.Buffer) in.put(pendingBytes).put(data, offset, length)).flip();
        while (true) {
            ((java.nio.Buffer) decoded).clear();
            boolean overflow = decoder.decode(in, decoded, false).isOverflow();
            ((java.nio.Buffer) decoded).flip();
            accept(decoded);
            if (!overflow) {
                break;
            }
        }
        pendingBytes = in.slice();
    }

    /** Call once the program has exited: flushes what was held back for a marker that never came. */
    synchronized void finish() {
        if (state == State.PREAMBLE && preamble.toString().endsWith(BEGIN)) {
            // the stream ended right after "[BEGIN]:": an empty answer
            preamble.setLength(preamble.length() - BEGIN.length());
            started = true;
        } else if (state == State.ANSWER && heldBack.length() > 0) {
            emit(heldBack.toString());
            heldBack.setLength(0);
        }
        if (state == State.PREAMBLE) {
            keepOutside(preamble);
            preamble.setLength(0);
        }
        state = State.DONE;
    }

    private void accept(CharSequence chunk) {
        if (chunk.length() == 0) {
            return;
        }
        switch (state) {
            case PREAMBLE -> {
                preamble.append(chunk);
                findVersion();
                openAnswer();
            }
            case ANSWER -> acceptAnswer(chunk);
            default -> keepOutside(chunk);
        }
    }

    private void findVersion() {
        if (version == null) {
            Matcher m = VERSION.matcher(preamble);
            if (m.find() && m.end() < preamble.length()) {
                version = m.group(1);
            }
        }
    }

    /** Looks for the marker that opens the answer (or an abort before any answer). */
    private void openAnswer() {
        int at = -1;
        String marker = null;
        for (String m : List.of(BEGIN, COMPLETE, RESUME, ABORT)) {
            int i = preamble.indexOf(m);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                marker = m;
            }
        }
        if (marker == null) {
            return;
        }
        int rest = at + marker.length();
        if (marker.equals(BEGIN)) {
            if (rest == preamble.length()) {
                return; // wait for the character after "[BEGIN]:"
            }
            if (preamble.charAt(rest) == ' ') {
                rest++;
            }
        }
        String after = preamble.substring(rest);
        keepOutside(preamble.subSequence(0, marker.equals(ABORT) ? at : rest));
        preamble.setLength(0);
        if (marker.equals(ABORT)) {
            aborted = true;
            state = State.DONE;
            keepOutside(ABORT + after);
            return;
        }
        started = true;
        state = State.ANSWER;
        acceptAnswer(after);
    }

    private void acceptAnswer(CharSequence chunk) {
        heldBack.append(chunk);
        int at = -1;
        String closer = null;
        for (String c : CLOSERS) {
            int i = heldBack.indexOf(c);
            if (i >= 0 && (at < 0 || i < at)) {
                at = i;
                closer = c;
            }
        }
        if (closer != null) {
            emit(heldBack.substring(0, at));
            String after = heldBack.substring(at + (closer.equals(END) ? END.length() : 0));
            heldBack.setLength(0);
            ended = closer.equals(END);
            aborted = closer.equals(ABORT);
            state = State.DONE;
            keepOutside(after);
            return;
        }
        int keep = longestSuffixThatStartsACloser();
        emit(heldBack.substring(0, heldBack.length() - keep));
        heldBack.delete(0, heldBack.length() - keep);
    }

    private int longestSuffixThatStartsACloser() {
        for (int n = Math.min(ABORT.length() - 1, heldBack.length()); n > 0; n--) {
            String tail = heldBack.substring(heldBack.length() - n);
            for (String c : CLOSERS) {
                if (c.startsWith(tail)) {
                    return n;
                }
            }
        }
        return 0;
    }

    private void keepOutside(CharSequence text) {
        outside.append(text);
        if (outside.length() > 2 * TAIL) {
            outside.delete(0, outside.length() - TAIL);
        }
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            answer.append(piece);
            listener.onToken(piece);
        }
    }

    /**
     * Throws unless the program succeeded and printed a whole answer. Call after {@link #finish()}.
     *
     * @param tool   the program's name, for the message
     * @param result how it ended
     * @throws IncompleteAnswerException when the answer was aborted, not closed by {@code [END]}, or absent
     * @throws DeviceToolException       when the program failed otherwise
     */
    synchronized void check(String tool, CommandResult result) {
        if (aborted) {
            throw new IncompleteAnswerException(tool, result.exitCode(), IncompleteAnswerException.Reason.ABORTED,
                    answer.toString(), result.stderrTail(), stdoutTail());
        }
        if (!result.succeeded()) {
            throw new DeviceToolException(tool, result.exitCode(), result.stderrTail(), stdoutTail());
        }
        if (!started) {
            throw new IncompleteAnswerException(tool, result.exitCode(), IncompleteAnswerException.Reason.NO_ANSWER,
                    "", result.stderrTail(), stdoutTail());
        }
        if (!ended) {
            throw new IncompleteAnswerException(tool, result.exitCode(), IncompleteAnswerException.Reason.NO_END,
                    answer.toString(), result.stderrTail(), stdoutTail());
        }
    }

    /** The answer so far. */
    synchronized String answer() {
        return answer.toString();
    }

    /** Whether the answer was closed by {@code [END]} (rather than cut off). */
    synchronized boolean ended() {
        return ended;
    }

    /** Whether Genie reported the query as aborted. */
    synchronized boolean aborted() {
        return aborted;
    }

    /** Whether an answer marker was seen at all. */
    synchronized boolean answerStarted() {
        return started;
    }

    /** The end of standard output without the answer's text (version, log lines, abort reason, what followed). */
    synchronized String stdoutTail() {
        String all = outside.toString() + (state == State.PREAMBLE ? preamble : "");
        return all.length() <= TAIL ? all : all.substring(all.length() - TAIL);
    }

    /** The libGenie version from the tool's first line, if printed. */
    synchronized Optional<String> genieVersion() {
        if (version == null) {
            Matcher m = VERSION.matcher(outside.toString() + preamble);
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return Optional.ofNullable(version);
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.TokenListener;
import dev.fastvlm.transport.OutputListener;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code genie-t2t-run}'s standard output as it streams and hands the answer to a
 * {@link TokenListener}: everything between {@code [BEGIN]: } and {@code [END]}, exactly as printed.
 *
 * <p>Output arrives in arbitrary chunks, so a marker or a multi-byte character may be split across
 * reads: bytes are decoded incrementally, and text that could still turn out to be the start of
 * {@code [END]} is held back until the next chunk decides. Nothing of the answer is lost or repeated.
 */
final class GenieAnswerStream implements OutputListener {

    static final String BEGIN = "[BEGIN]: ";
    static final String COMPLETE = "[COMPLETE]: ";
    static final String END = "[END]";
    static final String ABORT = "[ABORT]: ";
    private static final Pattern VERSION = Pattern.compile("Using libGenie\\.so version (\\S+)");

    private enum State { PREAMBLE, ANSWER, DONE }

    private final TokenListener listener;
    private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private final CharBuffer decoded = CharBuffer.allocate(8192);
    private ByteBuffer pendingBytes = ByteBuffer.allocate(0);
    private final StringBuilder preamble = new StringBuilder();
    private final StringBuilder answer = new StringBuilder();
    private final StringBuilder heldBack = new StringBuilder();
    private State state = State.PREAMBLE;
    private boolean aborted;
    private boolean ended;
    private boolean started;

    GenieAnswerStream(TokenListener listener) {
        this.listener = listener;
    }

    @Override
    public synchronized void onStdout(byte[] data, int offset, int length) {
        ByteBuffer in = ByteBuffer.allocate(pendingBytes.remaining() + length);
        in.put(pendingBytes).put(data, offset, length).flip();
        while (true) {
            decoded.clear();
            boolean overflow = decoder.decode(in, decoded, false).isOverflow();
            decoded.flip();
            accept(decoded);
            if (!overflow) {
                break;
            }
        }
        pendingBytes = in.slice();
    }

    /** Call once the program has exited: flushes what was held back for a marker that never came. */
    synchronized void finish() {
        if (state == State.ANSWER && heldBack.length() > 0) {
            emit(heldBack.toString());
            heldBack.setLength(0);
        }
        state = State.DONE;
    }

    private void accept(CharSequence chunk) {
        if (state == State.DONE || chunk.length() == 0) {
            return;
        }
        if (state == State.PREAMBLE) {
            preamble.append(chunk);
            int start = answerStart();
            if (start < 0) {
                return;
            }
            String rest = preamble.substring(start);
            preamble.setLength(preamble.length() - rest.length());
            state = State.ANSWER;
            started = true;
            acceptAnswer(rest);
        } else {
            acceptAnswer(chunk);
        }
    }

    private int answerStart() {
        for (String marker : new String[] {BEGIN, COMPLETE}) {
            int at = preamble.indexOf(marker);
            if (at >= 0) {
                return at + marker.length();
            }
        }
        int abortAt = preamble.indexOf(ABORT);
        if (abortAt >= 0) {
            aborted = true;
            return abortAt + ABORT.length();
        }
        return -1;
    }

    private void acceptAnswer(CharSequence chunk) {
        heldBack.append(chunk);
        int end = heldBack.indexOf(END);
        if (end >= 0) {
            emit(heldBack.substring(0, end));
            heldBack.setLength(0);
            ended = true;
            state = State.DONE;
            return;
        }
        int keep = longestSuffixThatStartsEnd();
        emit(heldBack.substring(0, heldBack.length() - keep));
        heldBack.delete(0, heldBack.length() - keep);
    }

    private int longestSuffixThatStartsEnd() {
        for (int n = Math.min(END.length() - 1, heldBack.length()); n > 0; n--) {
            if (END.startsWith(heldBack.substring(heldBack.length() - n))) {
                return n;
            }
        }
        return 0;
    }

    private void emit(String piece) {
        if (!piece.isEmpty()) {
            answer.append(piece);
            listener.onToken(piece);
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

    /** The libGenie version from the tool's first line, if printed. */
    synchronized Optional<String> genieVersion() {
        Matcher m = VERSION.matcher(preamble);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}

package dev.fastvlm.core.genie;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.IncompleteAnswerException;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.genie.profile.DialogQuery;
import dev.fastvlm.genie.profile.GenieProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Genie in this process through JNA: the decoder of the on-device mode, loaded once and queried
 * many times, where {@code genie-t2t-run} reloads the model for every request.
 *
 * <pre>{@code
 * try (NativeGenie genie = NativeGenie.open(Path.of(dir, "libGenie.so"), configJson, lut)) {
 *     NativeGenie.Answer a = genie.query(combined, 128, System.out::print, Duration.ofMinutes(1));
 *     a.text(); a.profile().tokensPerSecond(); genie.initTime();
 * }
 * }</pre>
 *
 * <p>Each query passes the combined embeddings from native memory to
 * {@code GenieDialog_embeddingQuery}, serves generated tokens' embeddings straight from the
 * memory-mapped table in the token-to-embedding callback, streams the answer's pieces to the
 * listener, and resets the dialog afterwards so no request sees another's context, unless the
 * caller keeps the context for a conversation's next turn. Cancellation
 * (the calling thread's interrupt, {@link #abort()}, the time limit, a failing listener) sends
 * {@code GenieDialog_signal(ABORT)} and ends the query with {@link CancelledException} (or the
 * timeout, or the listener's failure). An answer Genie itself stops short is never returned as a
 * success: an abort this instance did not ask for, or an answer never closed by the END sentence
 * code, is an {@link IncompleteAnswerException} carrying the partial answer, as
 * {@code [ABORT]: } and a missing {@code [END]} are for {@code genie-t2t-run}. Figures come from
 * Genie's own profile, as with the program. Queries on one instance run one at a time;
 * {@link #close()} frees every handle.
 */
public final class NativeGenie implements AutoCloseable {

    /** The Genie API major version this binding speaks. */
    public static final int API_MAJOR = 1;
    /** The oldest minor version with everything used here (Genie API 1.13.0: docs/qualcomm-formats.md, section 7). */
    public static final int MIN_API_MINOR = 13;

    private static final Logger LOG = LoggerFactory.getLogger(NativeGenie.class);
    private static final long WATCH_MILLIS = 20;
    private static final AtomicInteger WATCHERS = new AtomicInteger();
    /** Watches a running query's deadline and its caller's interrupt; this instance's own, ended by {@link #close()}. */
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "fastvlm-genie-watchdog-" + WATCHERS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private final Path library;
    private final GenieLibrary genie;
    private final EmbeddingTable table;
    private final String apiVersion;
    private final ReentrantLock queries = new ReentrantLock();
    private Pointer profile;
    private Pointer config;
    private Pointer dialog;
    private Duration initTime = Duration.ZERO;
    private volatile boolean closed;

    /** The request being served; the callbacks below reach it through this field, never through userData. */
    private volatile Sink active;
    private Memory profileBuffer;
    // Fields, not locals: native code holds these function pointers, so they must stay strongly reachable.
    private final GenieLibrary.QueryCallback onPiece = (response, code, userData) -> active.piece(response, code);
    private final GenieLibrary.TokenToEmbeddingCallback onToken =
            (token, embedding, size, userData) -> active.embedding(token, embedding, size);
    private final GenieLibrary.AllocCallback onAlloc = (size, allocated) -> {
        profileBuffer = new Memory(Math.max(1, size.longValue()));
        allocated.setValue(profileBuffer);
    };

    private NativeGenie(Path library, GenieLibrary genie, EmbeddingTable table, String apiVersion) {
        this.library = library;
        this.genie = genie;
        this.table = table;
        this.apiVersion = apiVersion;
    }

    /**
     * Loads {@code library}, checks its API version and creates the dialog from
     * {@code dialogConfigJson} (what {@code genie-t2t-run --config} would read), with a profiler.
     *
     * @param table the decoder's embedding table, serving generated tokens' rows
     * @param library the path of {@code libGenie.so}
     * @param dialogConfigJson the dialog config's JSON text
     * @return the open dialog; close it to free Genie's handles
     * @throws ModelArtifactException the library is missing, cannot be loaded or speaks another API version
     * @throws GenieException         Genie rejected the config or could not create the dialog
     */
    public static NativeGenie open(Path library, String dialogConfigJson, EmbeddingTable table) {
        if (!Files.isRegularFile(library)) {
            throw new ModelArtifactException("no Genie library at " + library.toAbsolutePath());
        }
        GenieLibrary genie;
        String version;
        try {
            genie = Native.load(library.toAbsolutePath().toString(), GenieLibrary.class,
                    Map.of(Library.OPTION_STRING_ENCODING, StandardCharsets.UTF_8.name()));
            int major = genie.Genie_getApiMajorVersion();
            int minor = genie.Genie_getApiMinorVersion();
            version = major + "." + minor + "." + genie.Genie_getApiPatchVersion();
            if (major != API_MAJOR || minor < MIN_API_MINOR) {
                throw new ModelArtifactException(library + " implements Genie API " + version + "; this binding needs "
                        + API_MAJOR + "." + MIN_API_MINOR + " or a later " + API_MAJOR + ".x");
            }
        } catch (UnsatisfiedLinkError e) {
            throw new ModelArtifactException("cannot load the Genie library " + library + ": " + e.getMessage(), e);
        }
        NativeGenie instance = new NativeGenie(library, genie, table, version);
        try {
            instance.create(dialogConfigJson);
        } catch (RuntimeException | Error e) {
            instance.close();
            throw e;
        }
        return instance;
    }

    private void create(String json) {
        PointerByReference handle = new PointerByReference();
        check("GenieProfile_create", genie.GenieProfile_create(null, handle), "");
        profile = handle.getValue();
        check("GenieDialogConfig_createFromJson", genie.GenieDialogConfig_createFromJson(json, handle),
                "the dialog config was rejected");
        config = handle.getValue();
        check("GenieDialogConfig_bindProfiler", genie.GenieDialogConfig_bindProfiler(config, profile), "");
        check("GenieDialog_create", genie.GenieDialog_create(config, handle), "");
        dialog = handle.getValue();
        initTime = readProfile().dialogCreate().map(c -> Duration.ofNanos(c.initTimeMicros() * 1000))
                .orElse(Duration.ZERO);
        LOG.info("Genie {} loaded in process from {} (dialog created in {} ms)", apiVersion, library,
                initTime.toMillis());
    }

    /** {@return the library's Genie API version, e.g. {@code 1.13.0}} */
    public String apiVersion() {
        return apiVersion;
    }

    /**
     * How long {@code GenieDialog_create} took (the model load), from Genie's profile.
     *
     * @return the dialog's initialisation time, {@link Duration#ZERO} when the profile does not report it
     */
    public Duration initTime() {
        return initTime;
    }

    /**
     * The answer to one query.
     *
     * @param text    the whole answer, as streamed
     * @param profile Genie's figures for this query
     */
    public record Answer(String text, DialogQuery profile) {
    }

    /**
     * Runs one query on {@code embeddings} (float32 rows of the table's width), generating at most
     * {@code maxNewTokens} tokens, streaming each piece of the answer to {@code listener}.
     *
     * @param embeddings the prompt's combined rows, in the table's width and element type
     * @param maxNewTokens the most tokens to generate, &gt; 0
     * @param listener receives each piece of the answer as Genie produces it
     * @param timeout the longest the query may take
     * @return the answer and Genie's profile of the query
     * @throws CancelledException      the calling thread was interrupted or {@link #abort()} was called
     * @throws FastVlmTimeoutException {@code timeout} passed (the query was aborted)
     * @throws GenieException          Genie failed the query
     * @throws IncompleteAnswerException Genie aborted the query on its own, or ended it without the END
     *                                 sentence code; it carries the partial answer
     * @throws InvalidInputException   the embeddings do not fit this dialog
     */
    public Answer query(CombinedEmbeddings embeddings, int maxNewTokens, TokenListener listener, Duration timeout) {
        return query(embeddings, maxNewTokens, listener, timeout, false);
    }

    /**
     * Runs one query as {@link #query(CombinedEmbeddings, int, TokenListener, Duration)} does, but
     * with {@code keepContext} the dialog keeps its KV cache afterwards: the prompt's rows and the
     * generated tokens stay, and the next query's rows continue after them (a conversation's next
     * turn sends only its new rows). A query that fails or is cancelled always resets the dialog.
     *
     * @param embeddings the prompt's new rows, in the table's width and element type
     * @param maxNewTokens the most tokens to generate, &gt; 0
     * @param listener receives each piece of the answer as Genie produces it
     * @param timeout the longest the query may take
     * @param keepContext {@code true} to keep the dialog's context for a continuation; {@code false}
     *     resets it after the query
     * @return the answer and Genie's profile of the query
     * @throws CancelledException      the calling thread was interrupted or {@link #abort()} was called
     * @throws FastVlmTimeoutException {@code timeout} passed (the query was aborted)
     * @throws GenieException          Genie failed the query
     * @throws IncompleteAnswerException Genie aborted the query on its own, or ended it without the END
     *                                 sentence code; it carries the partial answer
     * @throws InvalidInputException   the embeddings do not fit this dialog
     */
    public Answer query(CombinedEmbeddings embeddings, int maxNewTokens, TokenListener listener, Duration timeout,
                        boolean keepContext) {
        if (embeddings.width() != table.width() || embeddings.outputType() != table.type()) {
            throw new InvalidInputException("embeddings of " + embeddings + " do not match the decoder's table "
                    + table + " (same width and element type needed)");
        }
        if (embeddings.byteSize() > 0xFFFF_FFFFL) {
            throw new InvalidInputException(embeddings + " is " + embeddings.byteSize()
                    + " bytes; GenieDialog_embeddingQuery takes at most 4 GiB - 1");
        }
        if (maxNewTokens <= 0) {
            throw new InvalidInputException("maxNewTokens must be > 0, was " + maxNewTokens);
        }
        try {
            queries.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("cancelled while waiting for the in-process Genie dialog", e);
        }
        try {
            if (closed) {
                throw new FastVlmException("this NativeGenie is closed");
            }
            Sink sink = new Sink(listener, table.width() * table.type().bytes());
            long deadline = System.nanoTime() + timeout.toNanos();
            Thread caller = Thread.currentThread();
            int status;
            try (Memory input = new Memory(embeddings.byteSize())) {
                embeddings.writeTo(input.getByteBuffer(0, embeddings.byteSize()));
                check("GenieDialog_setMaxNumTokens", genie.GenieDialog_setMaxNumTokens(dialog, maxNewTokens), "");
                active = sink;
                ScheduledFuture<?> watch = watchdog.scheduleWithFixedDelay(() -> sink.watch(caller, deadline),
                        WATCH_MILLIS, WATCH_MILLIS, TimeUnit.MILLISECONDS);
                try {
                    status = genie.GenieDialog_embeddingQuery(dialog, input, (int) embeddings.byteSize(),
                            GenieLibrary.SENTENCE_COMPLETE, onToken, onPiece, null);
                } finally {
                    watch.cancel(false);
                    sink.finish();
                    active = null;
                }
            }
            // only an answer that ended well leaves a context worth continuing
            boolean complete = sink.failure == null && sink.stop == null && sink.abortReason == null && sink.ended
                    && status >= 0 && status != GenieLibrary.STATUS_WARNING_ABORTED;
            if (!keepContext || !complete) {
                check("GenieDialog_reset", genie.GenieDialog_reset(dialog), "");
            }
            if (sink.failure != null) {
                throw sink.failure;
            }
            sink.flush();
            if (sink.stop == Stop.TIMEOUT) {
                throw new FastVlmTimeoutException("in-process Genie query", timeout);
            }
            if (sink.stop == Stop.INTERRUPTED || sink.stop == Stop.ABORTED) {
                if (sink.stop == Stop.INTERRUPTED) {
                    caller.interrupt();
                }
                throw new CancelledException("the in-process Genie query was aborted");
            }
            if (status == GenieLibrary.STATUS_WARNING_ABORTED || sink.abortReason != null) {
                throw incomplete(IncompleteAnswerException.Reason.ABORTED, status, sink);
            }
            if (status < 0) {
                throw new GenieException("GenieDialog_embeddingQuery", status, embeddings.rows() + " rows of "
                        + embeddings.width());
            }
            if (!sink.ended) {
                throw incomplete(IncompleteAnswerException.Reason.NO_END, status, sink);
            }
            DialogQuery figures = readProfile().lastQuery().orElseThrow(() -> new FastVlmException(
                    "Genie's profile has no GenieDialog_query event"));
            return new Answer(sink.text.toString(), figures);
        } finally {
            queries.unlock();
        }
    }

    /** Genie stopped the answer short on its own; the status stands where the program's exit code would. */
    private static IncompleteAnswerException incomplete(IncompleteAnswerException.Reason reason, int status, Sink sink) {
        String said = sink.abortReason == null || sink.abortReason.isEmpty() ? null
                : "ABORT sentence code: " + sink.abortReason;
        return new IncompleteAnswerException("libGenie GenieDialog_embeddingQuery (status "
                + GenieException.statusName(status) + ")", status, reason, sink.text.toString(), null, said);
    }

    /**
     * Empties the dialog's context ({@code GenieDialog_reset}): the next query starts at position 0.
     * Waits for a running query.
     *
     * @throws GenieException when Genie refuses the reset
     */
    public void reset() {
        queries.lock();
        try {
            if (!closed && dialog != null) {
                check("GenieDialog_reset", genie.GenieDialog_reset(dialog), "");
            }
        } finally {
            queries.unlock();
        }
    }

    /** Asks a running query to stop ({@code GenieDialog_signal(ABORT)}); it then throws {@link CancelledException}. */
    public void abort() {
        Sink sink = active;
        if (sink != null) {
            sink.abort(Stop.ABORTED);
        }
    }

    private GenieProfile readProfile() {
        PointerByReference json = new PointerByReference();
        try {
            check("GenieProfile_getJsonData", genie.GenieProfile_getJsonData(profile, onAlloc, json), "");
            return GenieProfile.parse(json.getValue().getString(0, StandardCharsets.UTF_8.name()));
        } finally {
            if (profileBuffer != null) {
                profileBuffer.close();
                profileBuffer = null;
            }
        }
    }

    /** Frees the dialog, its config and the profiler; waits for a running query, which is aborted first. */
    @Override
    public void close() {
        closed = true;
        abort();
        queries.lock();
        try {
            watchdog.shutdownNow();
            if (dialog != null) {
                logFailure("GenieDialog_free", genie.GenieDialog_free(dialog));
                dialog = null;
            }
            if (config != null) {
                logFailure("GenieDialogConfig_free", genie.GenieDialogConfig_free(config));
                config = null;
            }
            if (profile != null) {
                logFailure("GenieProfile_free", genie.GenieProfile_free(profile));
                profile = null;
            }
        } finally {
            queries.unlock();
        }
    }

    private static void check(String function, int status, String context) {
        if (status < 0) {
            throw new GenieException(function, status, context);
        }
    }

    private static void logFailure(String function, int status) {
        if (status != 0) {
            LOG.warn("{} returned {} ({})", function, GenieException.statusName(status), status);
        }
    }

    private enum Stop { INTERRUPTED, TIMEOUT, ABORTED, FAILED }

    /**
     * One query's side of the callbacks: decodes pieces to text (holding back a split character),
     * serves table rows, and turns every reason to stop into one ABORT signal.
     */
    private final class Sink {
        private final TokenListener listener;
        private final int rowBytes;
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private ByteBuffer pending = ByteBuffer.allocate(0);
        final StringBuilder text = new StringBuilder();
        private boolean finished;
        volatile Stop stop;
        /** What came with Genie's ABORT sentence code (possibly empty), or null when none came. */
        String abortReason;
        /** Genie closed the answer with the END sentence code. */
        boolean ended;
        RuntimeException failure;

        Sink(TokenListener listener, int rowBytes) {
            this.listener = listener;
            this.rowBytes = rowBytes;
        }

        void piece(Pointer response, int code) {
            if (failure != null) {
                return;
            }
            try {
                byte[] bytes = response == null ? new byte[0]
                        : response.getByteArray(0, (int) response.indexOf(0, (byte) 0));
                if (code == GenieLibrary.SENTENCE_ABORT) {
                    abortReason = new String(bytes, StandardCharsets.UTF_8);
                    return;
                }
                if (code == GenieLibrary.SENTENCE_END) {
                    ended = true;
                }
                ByteBuffer in = ByteBuffer.allocate(pending.remaining() + bytes.length);
                ((java.nio.Buffer) in.put(pending).put(bytes)).flip();
                CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
                decoder.decode(in, out, false);
                pending = in.slice();
                emit(((java.nio.Buffer) out).flip().toString());
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void embedding(int token, Pointer embedding, int size) {
            if (failure != null) {
                return;
            }
            try {
                if (size != rowBytes) {
                    throw new ModelArtifactException("Genie asked for " + size + "-byte embeddings, the table "
                            + table + " has " + rowBytes + "-byte rows");
                }
                table.copyRow(token, embedding.getByteBuffer(0, size));
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void flush() {
            CharBuffer out = CharBuffer.allocate(pending.remaining() + 2);
            decoder.decode(pending, out, true);
            decoder.flush(out);
            emit(((java.nio.Buffer) out).flip().toString());
        }

        private void emit(String piece) {
            if (!piece.isEmpty()) {
                text.append(piece);
                listener.onToken(piece);
            }
        }

        /** Callbacks must not throw into native code: keep the first failure and stop the query. */
        private void fail(RuntimeException e) {
            failure = e;
            abort(Stop.FAILED);
        }

        void watch(Thread caller, long deadline) {
            if (caller.isInterrupted()) {
                abort(Stop.INTERRUPTED);
            } else if (System.nanoTime() - deadline > 0) {
                abort(Stop.TIMEOUT);
            }
        }

        /** One ABORT at most, and none once the query has returned (the dialog may be freed after that). */
        synchronized void abort(Stop reason) {
            if (!finished && stop == null) {
                stop = reason;
                logFailure("GenieDialog_signal", genie.GenieDialog_signal(dialog, GenieLibrary.ACTION_ABORT));
            }
        }

        synchronized void finish() {
            finished = true;
        }
    }
}

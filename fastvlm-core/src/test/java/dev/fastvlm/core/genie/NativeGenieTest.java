package dev.fastvlm.core.genie;

import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.IncompleteAnswerException;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.TokenListener;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link NativeGenie} against the stand-in libGenie.so compiled from {@code src/test/c}. */
class NativeGenieTest {

    static final int WIDTH = 16;
    static final int VOCAB = 1000;
    static final Duration MINUTE = Duration.ofMinutes(1);
    static final int[] PROMPT = {10, 200, 333, 999};

    @TempDir
    static Path dir;
    static Path library;
    static GenieStandIn.Counters counters;
    static EmbeddingTable table;
    static EmbeddingTable shiftedTable;
    static CombinedEmbeddings redBlue;

    @BeforeAll
    static void setUp() throws IOException {
        library = GenieStandIn.library();
        counters = GenieStandIn.counters(library);
        table = EmbeddingTable.open(writeTable(dir.resolve("LUT.bin"), 0), WIDTH, QnnDataType.FLOAT_32,
                Optional.empty());
        shiftedTable = EmbeddingTable.open(writeTable(dir.resolve("shifted.bin"), 1), WIDTH, QnnDataType.FLOAT_32,
                Optional.empty());
        redBlue = CombinedEmbeddings.builder().vision(vision(new float[] {1, 0, 0}, new float[] {0, 0, 1}))
                .text(table.gather(PROMPT)).prepend().build();
    }

    @AfterEach
    void defaultDelays() {
        counters.GenieStandIn_setDelays(0, 0);
        counters.GenieStandIn_setFaults(-1, 0);
    }

    /** The emulated model's text row of a token (EmulatedEncoding): the id in base-64 digits, then a pattern. */
    static float textValue(int token, int j) {
        if (j < 3) {
            return (((token >>> (6 * j)) & 63) - 32) / 64f;
        }
        int h = token * 0x9E3779B1 + j * 0x85EBCA6B;
        h ^= h >>> 15;
        h *= 0x2C1B3C6D;
        h ^= h >>> 12;
        return ((h & 255) - 128) / 256f;
    }

    /** A table whose row t holds token t + shift's row: a table that is not the model's when shift != 0. */
    static Path writeTable(Path file, int shift) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(VOCAB * WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < VOCAB; t++) {
            for (int j = 0; j < WIDTH; j++) {
                data.putFloat(textValue(t + shift, j));
            }
        }
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.write(data.flip());
        }
        return file;
    }

    /** 16 x 16 patches in the emulated vision encoding: colour, grid row and column, a marker of 1. */
    static VisionEmbeddings vision(float[] left, float[] right) {
        ByteBuffer data = ByteBuffer.allocate(256 * WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int p = 0; p < 256; p++) {
            float[] rgb = p % 16 < 8 ? left : right;
            float[] row = new float[WIDTH];
            row[0] = rgb[0];
            row[1] = rgb[1];
            row[2] = rgb[2];
            row[3] = (p / 16) / 16f;
            row[4] = (p % 16) / 16f;
            row[5] = 1;
            for (float v : row) {
                data.putFloat(v);
            }
        }
        return VisionEmbeddings.of(data.flip(), new TensorSpec("image_features", QnnDataType.FLOAT_32,
                List.of(1, 256, WIDTH), Optional.empty()), "test vision rows");
    }

    static String config(int contextSize) {
        return """
                {"dialog": {"version": 1, "type": "basic",
                  "context": {"version": 1, "size": %d, "n-vocab": %d, "bos-token": 1, "eos-token": [2, 3]},
                  "tokenizer": {"version": 1, "path": "tokenizer.json"},
                  "engine": {"version": 1, "n-threads": 3, "backend": {"version": 1, "type": "QnnGenAiTransformer"},
                             "model": {"version": 1, "type": "library", "library": {"version": 1, "model-bin": "m"}}},
                  "embedding": {"version": 1, "size": %d, "type": "callback", "datatype": "float32"}}}
                """.formatted(contextSize, VOCAB, WIDTH);
    }

    static final String RED_BLUE = "Stand-in Genie saw 4 text rows, 256 image rows and 0 other rows at context "
            + "position 0; the image is red on the left and blue on the right.";

    @Test
    void answersFromTheEmbeddingsItReceivesAndStreamsEveryPiece() {
        List<String> pieces = new ArrayList<>();
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            assertThat(genie.apiVersion()).isEqualTo("1.13.0");
            NativeGenie.Answer answer = genie.query(redBlue, 200, pieces::add, MINUTE);
            assertThat(answer.text()).isEqualTo(RED_BLUE);
            assertThat(String.join("", pieces)).isEqualTo(RED_BLUE);
            assertThat(pieces).hasSize(RED_BLUE.split(" ").length).startsWith("Stand-in", " Genie");
            assertThat(answer.profile().promptTokens()).isEqualTo(260);
            assertThat(answer.profile().generatedTokens()).isEqualTo(pieces.size());

            CombinedEmbeddings other = CombinedEmbeddings.builder()
                    .vision(vision(new float[] {0, 1, 0}, new float[] {1, 1, 0})).text(table.gather(new int[] {5}))
                    .placeholder(1).build();
            assertThat(genie.query(other, 200, TokenListener.NONE, MINUTE).text()).isEqualTo("Stand-in Genie saw 1 "
                    + "text rows, 256 image rows and 0 other rows at context position 0; the image is green on the "
                    + "left and yellow on the right.");
        }
    }

    @Test
    void resetsTheDialogSoNoRequestSeesAnother() {
        try (NativeGenie genie = NativeGenie.open(library, config(2048), table)) {
            for (int i = 0; i < 3; i++) {
                assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).text()).isEqualTo(RED_BLUE);
            }
        }
    }

    @Test
    void stopsAtMaxNewTokens() {
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            NativeGenie.Answer answer = genie.query(redBlue, 3, TokenListener.NONE, MINUTE);
            assertThat(answer.text()).isEqualTo("Stand-in Genie saw");
            assertThat(answer.profile().generatedTokens()).isEqualTo(3);
            assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).text()).isEqualTo(RED_BLUE);
        }
    }

    @Test
    void servesGeneratedTokensFromTheTableItWasGiven() {
        // The stand-in checks every generated token's row; a table that is not the model's fails generation.
        try (NativeGenie genie = NativeGenie.open(library, config(512), shiftedTable)) {
            assertThatThrownBy(() -> genie.query(CombinedEmbeddings.builder()
                    .vision(vision(new float[] {1, 0, 0}, new float[] {0, 0, 1})).text(shiftedTable.gather(PROMPT))
                    .prepend().build(), 200, TokenListener.NONE, MINUTE))
                    .isInstanceOfSatisfying(GenieException.class, e -> {
                        assertThat(e.statusName()).isEqualTo("GENIE_STATUS_ERROR_GENERATE_FAILED");
                        assertThat(e.status()).isEqualTo(-10);
                        assertThat(e.function()).isEqualTo("GenieDialog_embeddingQuery");
                    });
        }
    }

    @Test
    void rejectsBadConfigsWithGeniesStatusNamesAndLeaksNothing() {
        int before = counters.GenieStandIn_liveHandles();
        assertThatThrownBy(() -> NativeGenie.open(library, "{\"dialog\": {", table))
                .isInstanceOf(GenieException.class).hasMessageContaining("GENIE_STATUS_ERROR_JSON_FORMAT (-7)")
                .hasMessageContaining("GenieDialogConfig_createFromJson");
        assertThatThrownBy(() -> NativeGenie.open(library, "{\"dialog\": {\"version\": 1}, \"extra\": 1}", table))
                .isInstanceOf(GenieException.class).hasMessageContaining("GENIE_STATUS_ERROR_JSON_SCHEMA (-8)");
        assertThatThrownBy(() -> NativeGenie.open(library, config(512).replace("\"version\": 1, \"type\": \"basic\"",
                "\"version\": 2, \"type\": \"basic\""), table))
                .isInstanceOf(GenieException.class).hasMessageContaining("GENIE_STATUS_ERROR_JSON_SCHEMA");
        assertThatThrownBy(() -> NativeGenie.open(library, config(-5), table))
                .isInstanceOf(GenieException.class).hasMessageContaining("GENIE_STATUS_ERROR_JSON_VALUE (-9)");
        assertThat(counters.GenieStandIn_liveHandles()).isEqualTo(before);
    }

    @Test
    void refusesEmbeddingsOfAnotherWidthBeforeCallingGenie() {
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            EmbeddingTable wide = EmbeddingTable.open(dir.resolve("LUT.bin"), WIDTH * 2, QnnDataType.FLOAT_32,
                    Optional.empty());
            assertThatThrownBy(() -> genie.query(CombinedEmbeddings.builder()
                    .vision(VisionEmbeddings.of(ByteBuffer.allocate(256 * WIDTH * 8), new TensorSpec("v",
                            QnnDataType.FLOAT_32, List.of(1, 256, WIDTH * 2), Optional.empty()), "wide"))
                    .text(wide.gather(new int[] {1})).prepend().build(), 10, TokenListener.NONE, MINUTE))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("width");
        }
    }

    @Test
    void checksTheLibraryAndItsApiVersion() {
        assertThatThrownBy(() -> NativeGenie.open(dir.resolve("absent/libGenie.so"), config(512), table))
                .isInstanceOf(ModelArtifactException.class).hasMessageContaining("absent/libGenie.so");
        Path future = GenieStandIn.library(Path.of(GenieStandIn.SOURCE), Path.of("target/genie-standin-v2/libGenie.so"),
                "-DSTANDIN_API_MAJOR=2");
        assertThatThrownBy(() -> NativeGenie.open(future, config(512), table))
                .isInstanceOf(ModelArtifactException.class).hasMessageContaining("Genie API 2.13.0")
                .hasMessageContaining("needs 1.13");
    }

    @Test
    void abortSignalsGenieAndTheNextQueryIsClean() throws Exception {
        counters.GenieStandIn_setDelays(0, 30);
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            CountDownLatch firstPiece = new CountDownLatch(1);
            List<String> pieces = new ArrayList<>();
            CompletableFuture<NativeGenie.Answer> running = CompletableFuture.supplyAsync(() ->
                    genie.query(redBlue, 200, piece -> {
                        pieces.add(piece);
                        firstPiece.countDown();
                    }, MINUTE));
            assertThat(firstPiece.await(20, TimeUnit.SECONDS)).isTrue();
            genie.abort();
            assertThatThrownBy(() -> running.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(CancelledException.class);
            assertThat(String.join("", pieces)).isNotEqualTo(RED_BLUE);
            counters.GenieStandIn_setDelays(0, 0);
            assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).text()).isEqualTo(RED_BLUE);
        }
    }

    @Test
    void anAbortGenieMakesOnItsOwnIsAnIncompleteAnswerNotACancellation() {
        counters.GenieStandIn_setFaults(3, 0);
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            List<String> pieces = new ArrayList<>();
            assertThatThrownBy(() -> genie.query(redBlue, 200, pieces::add, MINUTE))
                    .isInstanceOfSatisfying(IncompleteAnswerException.class, e -> {
                        assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.ABORTED);
                        assertThat(e.partialAnswer()).isEqualTo("Stand-in Genie saw").isEqualTo(String.join("", pieces));
                        assertThat(e.stdoutTail()).isEqualTo("ABORT sentence code: stand-in engine failure");
                        assertThat(e).hasMessageContaining("GENIE_STATUS_WARNING_ABORTED")
                                .hasMessageContaining("reported the query as aborted");
                    });
            assertThat(Thread.currentThread().isInterrupted()).isFalse();
            counters.GenieStandIn_setFaults(-1, 0);
            assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).text()).isEqualTo(RED_BLUE);
        }
    }

    @Test
    void anAnswerGenieNeverEndsIsAnIncompleteAnswerWithWhatCame() {
        counters.GenieStandIn_setFaults(-1, 1);
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            assertThatThrownBy(() -> genie.query(redBlue, 200, TokenListener.NONE, MINUTE))
                    .isInstanceOfSatisfying(IncompleteAnswerException.class, e -> {
                        assertThat(e.reason()).isEqualTo(IncompleteAnswerException.Reason.NO_END);
                        assertThat(e.partialAnswer()).isEqualTo(RED_BLUE);
                        assertThat(e).hasMessageContaining("[END] missing");
                    });
        }
    }

    @Test
    void interruptionAbortsAndKeepsTheInterruptFlag() throws Exception {
        counters.GenieStandIn_setDelays(0, 30);
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            CountDownLatch firstPiece = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            Thread caller = new Thread(() -> {
                try {
                    genie.query(redBlue, 200, piece -> firstPiece.countDown(), MINUTE);
                } catch (Throwable t) {
                    thrown.set(t);
                    interrupted.set(Thread.currentThread().isInterrupted());
                }
            });
            caller.start();
            assertThat(firstPiece.await(20, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            caller.interrupt();
            caller.join(20_000);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
            assertThat(thrown.get()).isInstanceOf(CancelledException.class);
            assertThat(interrupted.get()).isTrue();
        }
    }

    @Test
    void aTimeLimitAbortsTheQuery() {
        counters.GenieStandIn_setDelays(0, 40);
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            assertThatThrownBy(() -> genie.query(redBlue, 200, TokenListener.NONE, Duration.ofMillis(150)))
                    .isInstanceOf(FastVlmTimeoutException.class);
        }
    }

    @Test
    void aFailingListenerStopsGenerationAndSurfaces() {
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            List<String> pieces = new ArrayList<>();
            assertThatThrownBy(() -> genie.query(redBlue, 200, piece -> {
                pieces.add(piece);
                if (pieces.size() == 2) {
                    throw new IllegalStateException("listener broke");
                }
            }, MINUTE)).isInstanceOf(IllegalStateException.class).hasMessage("listener broke");
            assertThat(pieces).hasSize(2);
            assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).text()).isEqualTo(RED_BLUE);
        }
    }

    @Test
    void reportsTheModelLoadSeparately() {
        counters.GenieStandIn_setDelays(120, 0);
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            assertThat(genie.initTime()).isGreaterThanOrEqualTo(Duration.ofMillis(120));
            assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).profile().timeToFirstTokenMicros())
                    .isLessThan(120_000);
        }
    }

    @Test
    void nothingLeaksOverAThousandRequests() {
        int before = counters.GenieStandIn_liveHandles();
        int created = counters.GenieStandIn_dialogsCreated();
        try (NativeGenie genie = NativeGenie.open(library, config(512), table)) {
            assertThat(counters.GenieStandIn_liveHandles()).isEqualTo(before + 3);
            for (int i = 0; i < 1000; i++) {
                assertThat(genie.query(redBlue, 200, TokenListener.NONE, MINUTE).text()).isEqualTo(RED_BLUE);
            }
            assertThat(counters.GenieStandIn_liveHandles()).isEqualTo(before + 3);
        }
        assertThat(counters.GenieStandIn_dialogsCreated()).isEqualTo(created + 1);
        assertThat(counters.GenieStandIn_liveHandles()).isEqualTo(before);
    }
}

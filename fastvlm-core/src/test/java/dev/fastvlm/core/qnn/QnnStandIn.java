package dev.fastvlm.core.qnn;

import dev.fastvlm.core.genie.GenieStandIn;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnGraph;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The stand-in {@code libQnnHtp.so} and {@code libQnnSystem.so} of {@code src/test/c}
 * ({@code qnn_htp_standin.c}, {@code qnn_system_standin.c}), compiled by the test build with the
 * system C compiler like the stand-in libGenie.so, and the emulated context binaries they read.
 */
public final class QnnStandIn {

    /** The C sources' folder, relative to fastvlm-core's folder. */
    public static final Path SOURCES = Path.of("src/test/c");
    /** First line of the device emulator's context binaries (its {@code EmulatedGraph.MAGIC}). */
    static final String MAGIC = "FASTVLM-EMULATED-QNN-CONTEXT-BINARY v1 (emulated, not a Qualcomm binary)";

    /** The counters the HTP stand-in exports for leak checks. */
    public interface HtpCounters extends Library {
        int QnnHtpStandIn_liveHandles();

        int QnnHtpStandIn_contextsCreated();

        int QnnHtpStandIn_executions();

        /** Milliseconds a context load and each execution take; -1 reads the environment. */
        void QnnHtpStandIn_setDelays(int loadMillis, int inferenceMillis);
    }

    /** The counter the system stand-in exports. */
    public interface SystemCounters extends Library {
        int QnnSystemStandIn_liveHandles();
    }

    private QnnStandIn() {
    }

    /** The two libraries, in {@code dir} (compiled once per JVM and folder), with extra compiler flags. */
    public static Libraries build(Path sources, Path dir, String... flags) {
        Path htp = GenieStandIn.library(sources.resolve("qnn_htp_standin.c"), dir.resolve("libQnnHtp.so"),
                with(flags, "-ffp-contract=off", "-lpthread"));
        Path system = GenieStandIn.library(sources.resolve("qnn_system_standin.c"), dir.resolve("libQnnSystem.so"),
                flags);
        return new Libraries(htp, system);
    }

    /** The default build in {@code target/qnn-standin}. */
    public static Libraries build() {
        return build(SOURCES, Path.of("target/qnn-standin"));
    }

    private static String[] with(String[] flags, String... more) {
        String[] all = new String[flags.length + more.length];
        System.arraycopy(flags, 0, all, 0, flags.length);
        System.arraycopy(more, 0, all, flags.length, more.length);
        return all;
    }

    /** The paths of a built pair. */
    public record Libraries(Path htp, Path system) {
        public HtpCounters htpCounters() {
            return Native.load(htp.toAbsolutePath().toString(), HtpCounters.class);
        }

        public SystemCounters systemCounters() {
            return Native.load(system.toAbsolutePath().toString(), SystemCounters.class);
        }
    }

    /** Writes an emulated context binary of {@code graph}, as the emulator's bundle writer does. */
    static Path writeBinary(Path file, QnnGraph graph, String kind, int width) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode doc = (ObjectNode) json.readTree(new ContextBinaryInfo(List.of(graph)).toJson());
        doc.putObject("fastvlm-emulation").put("kind", kind).put("width", width);
        Files.writeString(file, MAGIC + "\n" + json.writeValueAsString(doc) + "\n", StandardCharsets.UTF_8);
        return file;
    }
}

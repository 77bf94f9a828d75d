package dev.fastvlm.core.genie;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The stand-in {@code libGenie.so} of {@code src/test/c/genie_standin.c}, compiled by the test
 * build with the system C compiler ({@code $CC}, else {@code gcc}) into {@code target/}.
 */
public final class GenieStandIn {

    /** The C source, relative to fastvlm-core's folder. */
    public static final String SOURCE = "src/test/c/genie_standin.c";
    private static final ConcurrentHashMap<String, Path> BUILT = new ConcurrentHashMap<>();

    /** The counters the stand-in exports for leak checks. */
    public interface Counters extends Library {
        int GenieStandIn_liveHandles();

        int GenieStandIn_dialogsCreated();

        /** Milliseconds that dialog creation and each generated token take; -1 reads the environment. */
        void GenieStandIn_setDelays(int initMillis, int tokenMillis);

        /** After {@code abortAfter} tokens (&gt;= 0) the query aborts by itself; {@code dropEnd != 0}: no END piece. */
        void GenieStandIn_setFaults(int abortAfter, int dropEnd);
    }

    private GenieStandIn() {
    }

    /** The stand-in library, compiled once per JVM from fastvlm-core's test sources. */
    public static Path library() {
        return library(Path.of(SOURCE), Path.of("target/genie-standin/libGenie.so"));
    }

    /**
     * Compiles {@code source} into {@code output} (once per JVM and output), with extra compiler flags.
     *
     * @throws AssertionError with an instruction when there is no C compiler
     */
    public static Path library(Path source, Path output, String... flags) {
        return BUILT.computeIfAbsent(output.toAbsolutePath().toString(), key -> compile(source, output, flags));
    }

    public static Counters counters(Path library) {
        return Native.load(library.toAbsolutePath().toString(), Counters.class);
    }

    private static Path compile(Path source, Path output, String... flags) {
        String cc = System.getenv().getOrDefault("CC", "gcc");
        List<String> command = new ArrayList<>(List.of(cc, "-shared", "-fPIC", "-O1", "-Wall", "-Werror"));
        command.addAll(List.of(flags));
        command.addAll(List.of("-o", output.toAbsolutePath().toString(), source.toAbsolutePath().toString(), "-lm"));
        try {
            Files.createDirectories(output.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError("compiling the stand-in libGenie.so failed: " + command + "\n" + log);
            }
            return output.toAbsolutePath();
        } catch (IOException e) {
            throw new AssertionError("the stand-in libGenie.so for the in-process decoder tests is compiled from "
                    + source + " with the system C compiler, and '" + cc + "' could not be run (" + e.getMessage()
                    + "): install one (e.g. apt-get install gcc) or point the CC environment variable at it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while compiling " + source, e);
        }
    }
}

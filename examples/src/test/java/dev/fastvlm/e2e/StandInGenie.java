package dev.fastvlm.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Puts the stand-in Genie of fastvlm-core's test sources ({@code src/test/c}: a libGenie.so and a
 * genie-t2t-run over it) into an emulated SDK, compiled with the system C compiler ({@code $CC},
 * else {@code gcc}), so that the process and the in-process decoder run the same library.
 */
final class StandInGenie {

    static final Path SOURCES = Path.of("../fastvlm-core/src/test/c");

    private StandInGenie() {
    }

    /** Replaces the SDK's libGenie.so placeholder and its genie-t2t-run with the stand-ins. */
    static void install(Path sdk, Path buildDir) {
        Path library = buildDir.resolve("libGenie.so");
        Path tool = buildDir.resolve("genie-t2t-run");
        compile(List.of("-shared", "-fPIC", "-o", library.toString(),
                SOURCES.resolve("genie_standin.c").toAbsolutePath().toString(), "-lm"));
        compile(List.of("-o", tool.toString(), SOURCES.resolve("genie_t2t_run_standin.c").toAbsolutePath().toString(),
                "-L" + buildDir, "-lGenie"));
        try {
            Files.copy(library, sdk.resolve("lib/aarch64-android/libGenie.so"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(tool, sdk.resolve("bin/aarch64-android/genie-t2t-run"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.COPY_ATTRIBUTES);
        } catch (IOException e) {
            throw new AssertionError("cannot install the stand-in Genie into " + sdk + ": " + e.getMessage(), e);
        }
    }

    private static void compile(List<String> arguments) {
        compile("the stand-in Genie", arguments);
    }

    /**
     * Compiles {@code what} (stand-in libraries or programs of fastvlm-core's test sources) with the
     * system C compiler ({@code CC}, else gcc), failing the test with the compiler's log.
     */
    static void compile(String what, List<String> arguments) {
        String cc = System.getenv().getOrDefault("CC", "gcc");
        List<String> command = new ArrayList<>(List.of(cc, "-O1", "-Wall", "-Werror"));
        command.addAll(arguments);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new AssertionError("compiling " + what + " failed: " + command + "\n" + log);
            }
        } catch (IOException e) {
            throw new AssertionError(what + " of the end-to-end tests is compiled from " + SOURCES
                    + " with the system C compiler, and '" + cc + "' could not be run (" + e.getMessage()
                    + "): install one (e.g. apt-get install gcc) or point the CC environment variable at it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while compiling " + what, e);
        }
    }
}

package dev.fastvlm.bundle;

import dev.fastvlm.ModelArtifactException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One run of a QAIRT host tool as a named step: its command line logged, its output kept in a
 * file (no pipe to drain, so the time limit is the only wait), its exit code and the files it must
 * write checked, and on failure an error naming the step, the tool and the end of its own output.
 */
final class HostTool {
    private static final Logger LOG = LoggerFactory.getLogger(HostTool.class);
    /** How much of the tool's output goes into an error message. */
    private static final int OUTPUT_TAIL_BYTES = 4096;

    private final Path sdk;
    private final Path logDir;
    private final Duration timeout;
    private final Consumer<String> commandLog;

    HostTool(Path sdk, Path logDir, Duration timeout, Consumer<String> commandLog) {
        this.sdk = sdk;
        this.logDir = logDir;
        this.timeout = timeout;
        this.commandLog = commandLog;
    }

    /** The tool's path in the SDK. */
    Path program(String tool) {
        return sdk.resolve("bin/x86_64-linux-clang").resolve(tool);
    }

    /**
     * Runs {@code tool} with {@code args} for {@code step}, then checks that {@code outputs} exist.
     *
     * @throws ModelArtifactException naming the step when the tool cannot start, times out, fails or
     *                                does not write an output
     */
    void run(String step, String tool, List<String> args, List<Path> outputs) {
        List<String> command = new ArrayList<>();
        command.add(program(tool).toString());
        command.addAll(args);
        String line = String.join(" ", command.stream().map(HostTool::quoted).toList());
        LOG.info("{}: {}", step, line);
        commandLog.accept(step + ": " + line);
        Path log = logDir.resolve(tool + "-" + System.nanoTime() + ".log");
        Process process = null;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new ModelArtifactException("step '" + step + "': " + tool + " did not finish within "
                        + timeout.toSeconds() + " s: " + tail(log));
            }
            if (process.exitValue() != 0) {
                throw new ModelArtifactException("step '" + step + "': " + tool + " failed (exit " + process.exitValue()
                        + "): " + tail(log));
            }
        } catch (IOException e) {
            throw new ModelArtifactException("step '" + step + "': cannot run " + program(tool) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelArtifactException("step '" + step + "': interrupted while " + tool + " ran", e);
        } finally {
            if (process != null && process.isAlive()) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
        for (Path output : outputs) {
            if (!Files.isRegularFile(output)) {
                throw new ModelArtifactException("step '" + step + "': " + tool + " succeeded but did not write " + output
                        + ": " + tail(log));
            }
        }
    }

    private static String quoted(String arg) {
        return arg.matches("[A-Za-z0-9_./:=,+@%-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
    }

    private static String tail(Path log) {
        try {
            byte[] output = Files.readAllBytes(log);
            int from = Math.max(0, output.length - OUTPUT_TAIL_BYTES);
            String text = new String(output, from, output.length - from, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "(no output)" : text;
        } catch (IOException e) {
            return "(its output cannot be read: " + e.getMessage() + ")";
        }
    }
}

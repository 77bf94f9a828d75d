package dev.fastvlm.core.pipeline;

import dev.fastvlm.core.DesktopOnly;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.device.HostProcesses;
import dev.fastvlm.transport.Deadline;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The QAIRT SDK's host tool {@code qnn-context-binary-utility}, which writes a context binary's
 * metadata as JSON: used when a bundle has a context binary but not its info file.
 */
@DesktopOnly("runs the host-side qnn-context-binary-utility")
final class ContextInfoTool {

    static final String RELATIVE_PATH = "bin/x86_64-linux-clang/qnn-context-binary-utility";
    static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** How much of the tool's output goes into an error message. */
    private static final int OUTPUT_TAIL_BYTES = 4096;

    private final Path tool;
    private final Duration timeout;

    ContextInfoTool(Path tool, Duration timeout) {
        this.tool = tool;
        this.timeout = timeout;
    }

    /** The tool of the SDK at {@code sdkRoot}, if it has one that can run here. */
    static Optional<ContextInfoTool> in(Path sdkRoot) {
        Path tool = sdkRoot.resolve(RELATIVE_PATH);
        return Files.isExecutable(tool) ? Optional.of(new ContextInfoTool(tool, TIMEOUT)) : Optional.empty();
    }

    /**
     * Writes the info JSON of {@code contextBinary} into a fresh temporary file (removed when the
     * JVM exits) and returns it. The tool writes into a folder of its own, with its output in a file
     * rather than a pipe, so that the wait below is the only wait: a tool that hangs, or leaves a
     * child holding its output open, is stopped at its limit (or the caller's {@link Deadline}).
     * The folder is gone when this returns.
     */
    Path describe(Path contextBinary) {
        Path work = null;
        Process process = null;
        try {
            work = Files.createTempDirectory("fastvlm-context-info-");
            Path out = work.resolve(ModelBundle.infoFileOf(contextBinary).getFileName());
            Path log = work.resolve("output.log");
            process = new ProcessBuilder(tool.toString(), "--context_binary", contextBinary.toString(),
                    "--json_file", out.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            process.getOutputStream().close();
            Duration limit = Deadline.cap(timeout);
            if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new ModelArtifactException(tool + " did not finish within " + limit.toMillis() + " ms for "
                        + contextBinary);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(out)) {
                throw new ModelArtifactException(tool.getFileName() + " failed on " + contextBinary + " (exit "
                        + process.exitValue() + "): " + tail(log));
            }
            Path kept = Files.createTempFile("fastvlm-context-info-", "-" + out.getFileName());
            kept.toFile().deleteOnExit();
            Files.move(out, kept, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return kept;
        } catch (IOException e) {
            throw new ModelArtifactException("cannot run " + tool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelArtifactException("interrupted while running " + tool, e);
        } finally {
            if (process != null && process.isAlive()) {
                stop(process);
            }
            if (work != null) {
                deleteTree(work);
            }
        }
    }

    /** Kills the tool and whatever it started, which could otherwise go on writing into its folder. */
    private static void stop(Process process) {
        HostProcesses.killTree(process);
        try {
            process.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String tail(Path log) throws IOException {
        byte[] output = Files.readAllBytes(log);
        int from = Math.max(0, output.length - OUTPUT_TAIL_BYTES);
        return new String(output, from, output.length - from, StandardCharsets.UTF_8).strip();
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            // Nothing to remove, or a folder in the system's temporary folder that the OS clears.
        }
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifactException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The QAIRT SDK's host tool {@code qnn-context-binary-utility}, which writes a context binary's
 * metadata as JSON: used when a bundle has a context binary but not its info file.
 */
final class ContextInfoTool {

    static final String RELATIVE_PATH = "bin/x86_64-linux-clang/qnn-context-binary-utility";
    private static final long TIMEOUT_SECONDS = 120;

    private final Path tool;

    private ContextInfoTool(Path tool) {
        this.tool = tool;
    }

    /** The tool of the SDK at {@code sdkRoot}, if it has one that can run here. */
    static Optional<ContextInfoTool> in(Path sdkRoot) {
        Path tool = sdkRoot.resolve(RELATIVE_PATH);
        return Files.isExecutable(tool) ? Optional.of(new ContextInfoTool(tool)) : Optional.empty();
    }

    /** Writes the info JSON of {@code contextBinary} into a fresh temporary file and returns it. */
    Path describe(Path contextBinary) {
        try {
            Path out = Files.createTempDirectory("fastvlm-context-info-")
                    .resolve(ModelBundle.infoFileOf(contextBinary).getFileName());
            out.toFile().deleteOnExit();
            out.getParent().toFile().deleteOnExit();
            Process process = new ProcessBuilder(tool.toString(), "--context_binary", contextBinary.toString(),
                    "--json_file", out.toString()).redirectErrorStream(true).start();
            process.getOutputStream().close();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new ModelArtifactException(tool + " did not finish within " + TIMEOUT_SECONDS + " s for "
                        + contextBinary);
            }
            if (process.exitValue() != 0 || !Files.isRegularFile(out)) {
                throw new ModelArtifactException(tool.getFileName() + " failed on " + contextBinary + " (exit "
                        + process.exitValue() + "): " + new String(output, StandardCharsets.UTF_8).strip());
            }
            return out;
        } catch (IOException e) {
            throw new ModelArtifactException("cannot run " + tool + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelArtifactException("interrupted while running " + tool, e);
        }
    }
}

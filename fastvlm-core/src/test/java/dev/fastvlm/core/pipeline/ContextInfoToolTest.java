package dev.fastvlm.core.pipeline;

import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.transport.Deadline;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The host tool run at build(): bounded by its limit even when it hangs, and no folder left behind. */
class ContextInfoToolTest {

    @TempDir
    Path dir;

    private Path script(String body) throws IOException {
        Path tool = dir.resolve("qnn-context-binary-utility");
        Files.writeString(tool, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        return tool;
    }

    private static Set<Path> infoFolders() throws IOException {
        try (Stream<Path> files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return files.filter(p -> p.getFileName().toString().startsWith("fastvlm-context-info-")
                    && Files.isDirectory(p)).collect(Collectors.toSet());
        }
    }

    @Test
    void aHangingToolIsStoppedAtItsLimitEvenWhileAChildHoldsItsOutputOpen() throws IOException {
        // The child sleep keeps stdout open: a tool read to the end before the wait would block for 60 s.
        ContextInfoTool tool = new ContextInfoTool(script("echo working; sleep 60 & sleep 60"), Duration.ofSeconds(2));
        Set<Path> before = infoFolders();
        long start = System.nanoTime();
        assertThatThrownBy(() -> tool.describe(dir.resolve("vision.bin")))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("did not finish within 2000 ms for " + dir.resolve("vision.bin"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2200));
        assertThat(infoFolders()).isSubsetOf(before);
    }

    @Test
    void theCallersDeadlineShortensTheToolsLimit() throws IOException {
        ContextInfoTool tool = new ContextInfoTool(script("sleep 60"), Duration.ofSeconds(120));
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(1500), "build").run(
                () -> tool.describe(dir.resolve("vision.bin"))))
                .isInstanceOf(ModelArtifactException.class)
                .hasMessageContaining("did not finish within");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1650));
    }

    @Test
    void theJsonOutlivesItsFolderAndAFailureNamesTheToolsOutput() throws IOException {
        Set<Path> before = infoFolders();
        ContextInfoTool tool = new ContextInfoTool(script(
                "while [ $# -gt 0 ]; do [ \"$1\" = --json_file ] && echo '{\"ok\":1}' > \"$2\"; shift; done"),
                Duration.ofSeconds(10));
        Path json = tool.describe(dir.resolve("vision.bin"));
        assertThat(json).hasContent("{\"ok\":1}");
        assertThat(json.getParent()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir")));
        assertThat(infoFolders()).isSubsetOf(before);
        Files.delete(json);

        ContextInfoTool failing = new ContextInfoTool(script("echo 'bad context binary' >&2; exit 3"),
                Duration.ofSeconds(10));
        assertThatThrownBy(() -> failing.describe(dir.resolve("vision.bin")))
                .hasMessageContaining("(exit 3): bad context binary");
        assertThat(infoFolders()).isSubsetOf(before);
    }
}

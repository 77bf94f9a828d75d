package dev.fastvlm.cli;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** A describe stopped by TERM, INT or HUP in the middle of its work leaves no temporary files. */
class DescribeSignalCleanupTest {

    @TempDir
    Path tmp;

    @ParameterizedTest
    @ValueSource(strings = {"TERM", "INT", "HUP"})
    @Timeout(value = 2, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void signalDuringDescribeRemovesTemporaryFiles(String signal) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                FastVlmCli.class.getName(), "describe", "--emulator", "--image",
                Path.of("samples/red-and-blue.png").toAbsolutePath().toString(), "--prompt", "Colours?")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("child.log").toFile()).start();
        try {
            // Signal once the emulated bundle is being written: the middle of the command's work.
            while (describeDirectories().stream().noneMatch(d -> Files.exists(d.resolve("bundle")))) {
                assertThat(child.isAlive()).as("the child is still working").isTrue();
                Thread.sleep(5);
            }
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(child.pid())).inheritIO().start();
            assertThat(kill.waitFor()).isZero();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child ends on " + signal).isTrue();
            assertThat(child.exitValue()).as("ended by the signal, not by finishing").isNotZero();
            assertThat(describeDirectories()).as("temporary folders after " + signal).isEmpty();
        } finally {
            child.destroyForcibly();
        }
    }

    private List<Path> describeDirectories() throws IOException {
        try (Stream<Path> entries = Files.list(tmp)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("fastvlm-describe-")).toList();
        }
    }
}

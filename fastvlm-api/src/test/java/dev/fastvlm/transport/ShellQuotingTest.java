package dev.fastvlm.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Runs the generated scripts with the host's POSIX shell: what the device shell would do with them. */
class ShellQuotingTest {

    static final List<String> HOSTILE = List.of(
            "plain", "with space", "it's", "\"double\"", "$(touch PWNED)", "`touch PWNED`", "a;touch PWNED",
            "x && touch PWNED", "$HOME", "*", "back\\slash", "new\nline", "", "tab\there", "'", "''", "ünï cödé");

    @TempDir
    Path dir;

    @Test
    void quoteWrapsInSingleQuotesAndEscapesEmbeddedQuotes() {
        assertThat(ShellQuoting.quote("a b")).isEqualTo("'a b'");
        assertThat(ShellQuoting.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ShellQuoting.quote("")).isEqualTo("''");
    }

    @Test
    void hostileArgumentsArriveIntactAndRunNothing() throws Exception {
        List<String> argv = new java.util.ArrayList<>(List.of("printf", "%s\\0"));
        argv.addAll(HOSTILE);
        DeviceCommand command = DeviceCommand.of(argv);
        String out = sh(ShellQuoting.script(command));
        String[] lines = out.split("\n", 2);
        assertThat(lines[1].split("\0", -1)).containsExactlyElementsOf(withTrailingEmpty(HOSTILE));
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void scriptEntersDirectorySetsEnvironmentAndKeepsThePidItPrinted() throws Exception {
        Path work = Files.createDirectory(dir.resolve("work dir $(x)"));
        DeviceCommand command = DeviceCommand.of("sh", "-c",
                        "echo $$; pwd; echo \"$LD_LIBRARY_PATH\"; echo \"$ADSP_LIBRARY_PATH\"")
                .withEnvironment("LD_LIBRARY_PATH", work + ":/vendor/lib64")
                .withEnvironment("ADSP_LIBRARY_PATH", work + ";/vendor/dsp/cdsp")
                .inDirectory(work.toString());
        String[] lines = sh(ShellQuoting.script(command)).split("\n");
        assertThat(lines[1]).as("exec keeps the wrapper's PID, so killing it kills the program").isEqualTo(lines[0]);
        assertThat(lines[2]).isEqualTo(work.toString());
        assertThat(lines[3]).isEqualTo(work + ":/vendor/lib64");
        assertThat(lines[4]).isEqualTo(work + ";/vendor/dsp/cdsp");
    }

    @Test
    void missingWorkingDirectoryFailsWithoutRunningTheProgram() throws Exception {
        DeviceCommand command = DeviceCommand.of("touch", dir.resolve("ran").toString())
                .inDirectory(dir.resolve("absent").toString());
        Process p = new ProcessBuilder("/bin/sh", "-c", ShellQuoting.script(command)).start();
        assertThat(p.waitFor()).isEqualTo(127);
        assertThat(dir.resolve("ran")).doesNotExist();
    }

    private static List<String> withTrailingEmpty(List<String> args) {
        List<String> all = new java.util.ArrayList<>(args);
        all.add("");
        return all;
    }

    private String sh(String script) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("/bin/sh", "-c", script).directory(dir.toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }
}

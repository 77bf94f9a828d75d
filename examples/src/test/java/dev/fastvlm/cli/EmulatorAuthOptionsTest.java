package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code fastvlm emulator --authorized-keys}: a file that is not there is a usage error, before anything starts. */
class EmulatorAuthOptionsTest {

    @Test
    void aMissingAuthorizedKeysFileIsAUsageError(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        CommandLine cli = FastVlmCli.commandLine();
        cli.setOut(new PrintWriter(new StringWriter(), true));
        cli.setErr(new PrintWriter(err, true));
        Path missing = dir.resolve("nobody.pub");

        int exit = cli.execute("emulator", "--port", "0", "--authorized-keys", missing.toString());

        assertThat(exit).isNotZero();
        assertThat(err.toString()).contains("--authorized-keys " + missing + ": no such file");
    }
}

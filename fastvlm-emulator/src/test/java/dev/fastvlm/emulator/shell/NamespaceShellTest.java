package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.ToolEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Both ways of running commands in namespaces: entering the emulator's one sandbox, and (where an
 * unprivileged user's nsenter cannot enter it) a sandbox per command, equally confined.
 */
class NamespaceShellTest {
    @TempDir
    Path dir;

    private static String run(NamespaceShell shell, String command) throws Exception {
        Process p = shell.start(command, true);
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    private NamespaceShell shell(boolean tryShared) throws Exception {
        Path root = Files.createDirectories(dir.resolve("device"));
        Files.createDirectories(root.resolve("system/bin"));
        Files.writeString(root.resolve("system/bin/getprop"), "#!/bin/sh\necho emulated\n");
        NamespaceShell shell = NamespaceShell.create(root, new ToolRuntime(ProcessHandle.current().info().command()
                .orElse("java"), ToolEnvironment.currentClasspath(), Map.of()), ProcessLauncher.DIRECT);
        assertThat(shell.probe(tryShared)).isEmpty();
        assertThat(shell.shared()).isEqualTo(tryShared);
        return shell;
    }

    @Test
    void aSandboxPerCommandIsAsConfined() throws Exception {
        try (NamespaceShell shell = shell(false)) {
            assertThat(run(shell, "id")).startsWith("uid=2000(shell) gid=2000(shell)");
            assertThat(run(shell, "echo $HOME; ls /")).startsWith("/\n").contains("data\n").doesNotContain("home\n")
                    .doesNotContain("root\n");
            String name = "fastvlm-seal-" + System.nanoTime();
            assertThat(run(shell, "touch /tmp/" + name + " /" + name + " /data/" + name + "; echo $$"))
                    .endsWith("1\n");
            assertThat(Path.of("/tmp", name)).doesNotExist();
            assertThat(dir.resolve("device/data/" + name)).exists();
            assertThat(run(shell, "env")).doesNotContain(dir.toString()).contains("PATH=/system/bin");
        }
    }

    @Test
    void theSharedSandboxGivesTheDevicesPidsToEveryCommand() throws Exception {
        try (NamespaceShell shell = shell(true)) {
            Process sleeper = shell.start("echo $$; exec sleep 30", false);
            sleeper.getOutputStream().close();
            String pid = new java.io.BufferedReader(new java.io.InputStreamReader(sleeper.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertThat(run(shell, "kill -0 " + pid + " && kill " + pid + " && echo killed")).isEqualTo("killed\n");
            assertThat(sleeper.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(sleeper.exitValue()).isEqualTo(143);
        }
    }
}

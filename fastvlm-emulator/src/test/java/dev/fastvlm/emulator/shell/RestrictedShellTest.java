package dev.fastvlm.emulator.shell;

import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.emulator.ToolEnvironment;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.DeviceCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The restricted shell runs the scripts the project sends a device (taken from fastvlm-core's
 * code) and keeps every path, program and variable inside the device.
 */
class RestrictedShellTest {
    @TempDir
    Path dir;
    Path root;
    RestrictedShell shell;

    record Run(int status, String out, String err) {
    }

    @BeforeEach
    void start() throws Exception {
        root = Files.createDirectories(dir.resolve("device"));
        Files.createDirectories(root.resolve("data/local/tmp"));
        Files.createDirectories(root.resolve("system"));
        Files.writeString(root.resolve("system/build.prop"), "ro.soc.model=SM8750\nro.product.model=FastVLM emulated\n");
        shell = new RestrictedShell(root, new ToolRuntime(ProcessHandle.current().info().command().orElse("java"),
                ToolEnvironment.currentClasspath(), Map.of()), ProcessLauncher.DIRECT);
    }

    Run run(String command) throws Exception {
        Process p = shell.start(command, false);
        p.getOutputStream().close();
        byte[] err = new byte[0];
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), out, new String(err, StandardCharsets.UTF_8));
    }

    @Test
    void controlFlowExpansionsAndRedirections() throws Exception {
        Run r = run("i=0; while [ $i -lt 3 ]; do echo \"n=$i\"; i=$((i+1)); done; "
                + "if false; then echo no; elif [ -d /data ]; then echo yes; else echo else; fi; "
                + "x=$(echo a; echo b); echo \"$x\" | wc -l; echo ${missing:-fallback} '$HOME' \"$HOME\"; "
                + "false || echo or; true && echo and; ! true; echo $?; "
                + "cd /data/local/tmp && echo hi > f.txt && cat f.txt >&2; echo 'it'\\''s' `echo bq`; exit 4");
        assertThat(r.out()).isEqualTo("n=0\nn=1\nn=2\nyes\n2\nfallback $HOME /\nor\nand\n1\nit's bq\n");
        assertThat(r.err()).isEqualTo("hi\n");
        assertThat(r.status()).isEqualTo(4);
        assertThat(run("for f in /data/local/tmp/*.txt /data/none-*; do echo \"$f\"; done").out())
                .isEqualTo("/data/local/tmp/f.txt\n/data/none-*\n");
        assertThat(run("echo 'unterminated").status()).isEqualTo(2);
        assertThat(run("sleep 5 &").err()).contains("background");
    }

    @Test
    void theProjectsHousekeepingScriptsWork() throws Exception {
        String dirPath = "/data/local/tmp/fastvlm";
        String lock = dirPath + "/.sync-lock";
        // SyncLock.take and renew, as fastvlm-core sends them
        String take = "mkdir -p '" + dirPath + "'; date +%s; if mkdir '" + lock + "' 2>/dev/null; then echo 'id host 1 '"
                + "$(( $(date +%s) + 30 )) > '" + lock + "/owner'; echo acquired; else echo held; cat '" + lock
                + "/owner' 2>/dev/null || echo none; cat '" + lock + "/since' 2>/dev/null || echo none; fi";
        String[] first = run(take).out().split("\n");
        assertThat(first[0]).matches("\\d{10}");
        assertThat(first[1]).isEqualTo("acquired");
        String[] second = run(take).out().split("\n");
        assertThat(second[1]).isEqualTo("held");
        assertThat(second[2]).matches("id host 1 \\d+");
        assertThat(second[3]).isEqualTo("none");
        assertThat(run("grep -q '^id ' '" + lock + "/owner' 2>/dev/null && rm -rf '" + lock + "'; true").status()).isZero();
        assertThat(root.resolve("data/local/tmp/fastvlm/.sync-lock")).doesNotExist();
        // SyncLock.breakLock's find
        Files.writeString(root.resolve("data/local/tmp/fastvlm/.fastvlm-a.part"), "x");
        Files.writeString(root.resolve("data/local/tmp/fastvlm/.sync-b.tmp"), "x");
        Files.writeString(root.resolve("data/local/tmp/fastvlm/keep.bin"), "12345");
        run("find '" + dirPath + "' \\( -name '.fastvlm-*.part' -o -name '.sync-*.tmp' \\) -type f -exec rm -f {} + 2>/dev/null; true");
        try (var files = Files.list(root.resolve("data/local/tmp/fastvlm"))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("keep.bin");
        }
        // ArtifactSync's stat, sha256sum and df
        Run stat = run("stat -c '%s %Y' '" + dirPath + "/keep.bin' 2>/dev/null || echo missing; stat -c '%s %Y' '"
                + dirPath + "/none' 2>/dev/null || echo missing; ");
        assertThat(stat.out()).matches("5 \\d+\nmissing\n");
        assertThat(run("sha256sum '" + dirPath + "/keep.bin' 2>/dev/null || echo failed; ").out())
                .startsWith("5994471abb01112afcc18159f6cc74b4f511b99806da59b3caf5a9c173cacfc5  ");
        assertThat(run("mkdir -p '" + dirPath + "' && df -Pk '" + dirPath + "'").out().lines().skip(1).findFirst()
                .orElseThrow().split("\\s+")[3]).matches("\\d+");
        // RequestDirectory.sweep
        Files.createDirectories(root.resolve("data/local/tmp/fastvlm/req-old"));
        Files.setLastModifiedTime(root.resolve("data/local/tmp/fastvlm/req-old"),
                java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Files.createDirectories(root.resolve("data/local/tmp/fastvlm/req-new"));
        Run sweep = run("now=$(date +%s); for d in '" + dirPath + "'/req-*; do [ -d \"$d\" ] || continue; "
                + "m=$(stat -c %Y \"$d\" 2>/dev/null) || continue; [ $((now - m)) -gt 600 ] && rm -rf \"$d\" && echo \"$d\"; done; true");
        assertThat(sweep.out()).isEqualTo(dirPath + "/req-old\n");
        assertThat(root.resolve("data/local/tmp/fastvlm/req-new")).isDirectory();
        // the program script of ShellQuoting, and getprop
        Run program = run(ShellQuoting.script(DeviceCommand.of("sh", "-c", "echo \"$A\"; getprop ro.soc.model")
                .inDirectory(dirPath).withEnvironment("A", "it's")));
        assertThat(program.out()).matches("\\d+\nit's\nSM8750\n");
    }

    @Test
    void mvAndCpTakeTheLastOperandAsTheTargetAndKeepNamesInADirectory() throws Exception {
        Path tmp = root.resolve("data/local/tmp");
        Run r = run("cd /data/local/tmp && echo a > a && echo b > b && mkdir d && cp a b d && cp -f a c"
                + " && mv -f c e && mkdir m && mv a b m");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(tmp.resolve("d/a")).hasContent("a");
        assertThat(tmp.resolve("d/b")).hasContent("b");
        assertThat(tmp.resolve("e")).hasContent("a");
        assertThat(tmp.resolve("c")).doesNotExist();
        assertThat(tmp.resolve("m/a")).hasContent("a");
        assertThat(tmp.resolve("m/b")).hasContent("b");
        assertThat(tmp.resolve("a")).doesNotExist();
        Run missing = run("cd /data/local/tmp && cp e; mv -f e");
        assertThat(missing.err()).isEqualTo("cp: missing operand\nmv: missing operand\n");
        assertThat(missing.status()).isEqualTo(1);
        Run notAFile = run("cd /data/local/tmp && cp d x");
        assertThat(notAFile.err()).contains("cp").contains("not a regular file");
        assertThat(notAFile.status()).isEqualTo(1);
    }

    @Test
    void killReachesAnotherCommandLineByItsPid() throws Exception {
        Process sleeper = shell.start("echo $$; exec sleep 30", false);
        sleeper.getOutputStream().close();
        String pid = new java.io.BufferedReader(new java.io.InputStreamReader(sleeper.getInputStream(),
                StandardCharsets.UTF_8)).readLine();
        Run kill = run("kill -TERM " + pid + " 2>/dev/null; i=0; while kill -0 " + pid + " 2>/dev/null && [ $i -lt 20 ];"
                + " do sleep 0.1; i=$((i+1)); done; kill -KILL " + pid + " 2>/dev/null; exit 0");
        assertThat(kill.status()).isZero();
        assertThat(sleeper.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(sleeper.exitValue()).isEqualTo(143);
    }

    @Test
    void aTrappedSignalRunsItsTrap() throws Exception {
        Process trapped = shell.start("trap 'echo term > /data/local/tmp/termed; exit 143' TERM; echo $$; "
                + "while :; do sleep 0.05; done", false);
        trapped.getOutputStream().close();
        String pid = new java.io.BufferedReader(new java.io.InputStreamReader(trapped.getInputStream(),
                StandardCharsets.UTF_8)).readLine();
        assertThat(run("kill -0 " + pid + " && kill " + pid).status()).isZero();
        assertThat(trapped.waitFor(5, TimeUnit.SECONDS)).isTrue();
        assertThat(trapped.exitValue()).isEqualTo(143);
        assertThat(root.resolve("data/local/tmp/termed")).hasContent("term");
        assertThat(run("kill -0 " + pid).status()).isEqualTo(1);
    }

    @Test
    void nothingOutsideTheDeviceTreeIsReachable() throws Exception {
        Path outside = Files.writeString(dir.resolve("secret"), "host secret");
        assertThat(run("cd /data/local/tmp; cat ../../../../../../" + outside).out()).isEmpty();
        assertThat(run("cat " + outside).status()).isNotZero();
        assertThat(run("cd /..; ls").out()).isEqualTo("data\nsystem\n");
        Run write = run("echo x > /x; touch /tmp/y; mkdir /system/z; rm -rf /system; mv /system/build.prop /data/p");
        assertThat(write.err()).contains("Read-only file system");
        assertThat(root.resolve("x")).doesNotExist();
        assertThat(root.resolve("system/build.prop")).exists();
        assertThat(run("ln -s / /data/local/tmp/l").status()).isNotZero();
        Files.createSymbolicLink(root.resolve("data/local/tmp/planted"), dir);
        assertThat(run("cat /data/local/tmp/planted/secret; ls /data/local/tmp/planted; echo x > /data/local/tmp/planted/new")
                .out()).isEmpty();
        assertThat(dir.resolve("new")).doesNotExist();
        assertThat(run("/bin/sh -c id").status()).isEqualTo(127);
        Path program = Files.writeString(root.resolve("data/local/tmp/prog"), "#!/usr/bin/env python3\nprint(1)\n");
        Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThat(run("/data/local/tmp/prog").err()).contains("cannot execute");
        assertThat(run("env; set").out()).doesNotContain(root.toString()).doesNotContain(ToolEnvironment.SANDBOX);
    }

    @Test
    void toolsRunWithTheEmulatorsJavaAndNoDeviceVariableReachesTheHostLoader() throws Exception {
        Path sdk = EmulatedSdk.write(dir.resolve("sdk"), "/device/chose/this/java", "/nowhere");
        Path tool = root.resolve("data/local/tmp/qnn-net-run");
        Files.copy(sdk.resolve("bin/aarch64-android/qnn-net-run"), tool);
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Run r = run("cd /data/local/tmp && LD_PRELOAD=/nonexistent/evil.so JAVA_TOOL_OPTIONS=-Xmx1m ./qnn-net-run --bogus 1");
        assertThat(r.err()).contains("Unknown option").doesNotContain("evil.so").doesNotContain("JAVA_TOOL_OPTIONS");
        assertThat(r.status()).isEqualTo(1);
    }
}

package dev.fastvlm.emulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The emulator's record of its processes, and the removal of its sandbox. */
class ProcessRegistryTest {

    @Test
    void slotsAreBoundedAndFreedWhenTheirServiceEnds() {
        ProcessRegistry registry = new ProcessRegistry(2);
        Optional<ProcessRegistry.Slot> a = registry.reserve();
        Optional<ProcessRegistry.Slot> b = registry.reserve();
        assertThat(a).isPresent();
        assertThat(b).isPresent();
        assertThat(registry.reserve()).isEmpty();
        a.get().close();
        a.get().close();
        assertThat(registry.reserve()).isPresent();
        assertThat(registry.reserve()).as("closing twice frees one slot").isEmpty();
    }

    @Test
    void aClosedStreamKillsItsProcessAndTheProcessesThatStarted() throws Exception {
        ProcessRegistry registry = new ProcessRegistry(4);
        try (ProcessRegistry.Slot slot = registry.reserve().orElseThrow()) {
            slot.bindToCurrentThread();
            Process shell = ProcessRegistry.register(new ProcessBuilder("/bin/sh", "-c", "sleep 300 & sleep 300 & wait").start());
            List<ProcessHandle> children = awaitChildren(shell, 2);
            assertThat(registry.liveProcesses()).isEqualTo(1);

            slot.killProcesses();
            assertThat(shell.waitFor(10, TimeUnit.SECONDS)).isTrue();
            for (ProcessHandle child : children) {
                assertThat(child.onExit().get(10, TimeUnit.SECONDS).isAlive()).as("child %d", child.pid()).isFalse();
            }
        }
    }

    @Test
    void aCommandThatStartsMoreProcessesThanTheLimitIsKilled() throws Exception {
        ProcessRegistry registry = new ProcessRegistry(1);
        try (ProcessRegistry.Slot slot = registry.reserve().orElseThrow()) {
            slot.bindToCurrentThread();
            Process forks = ProcessRegistry.register(new ProcessBuilder("/bin/sh", "-c",
                    "for i in 1 2 3 4 5 6 7 8; do sleep 300 & done; wait").start());
            assertThat(forks.waitFor(10, TimeUnit.SECONDS)).as("killed by the watcher").isTrue();
            assertThat(forks.exitValue()).isNotZero();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (registry.liveProcesses() > 0) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(20);
            }
        }
        ProcessRegistry calm = new ProcessRegistry(1);
        try (ProcessRegistry.Slot slot = calm.reserve().orElseThrow()) {
            slot.bindToCurrentThread();
            Process within = ProcessRegistry.register(new ProcessBuilder("/bin/sh", "-c",
                    "sleep 1 & sleep 1 & wait; echo done").start());
            assertThat(within.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(within.exitValue()).as("three processes are within the limit of four").isZero();
        }
    }

    @Test
    void killAllEndsEveryRecordedProcessAndRefusesMore() throws Exception {
        ProcessRegistry registry = new ProcessRegistry(4);
        ProcessRegistry.Slot slot = registry.reserve().orElseThrow();
        slot.bindToCurrentThread();
        Process shell = ProcessRegistry.register(new ProcessBuilder("/bin/sh", "-c", "sleep 300 & wait").start());
        List<ProcessHandle> children = awaitChildren(shell, 1);

        registry.killAll();
        assertThat(shell.isAlive()).isFalse();
        assertThat(children.get(0).onExit().get(10, TimeUnit.SECONDS).isAlive()).isFalse();
        assertThat(registry.reserve()).isEmpty();
        Process late = new ProcessBuilder("sleep", "300").start();
        assertThatThrownBy(() -> ProcessRegistry.register(late)).isInstanceOf(IllegalStateException.class);
        assertThat(late.waitFor(10, TimeUnit.SECONDS)).as("a process registered after close is killed").isTrue();
        slot.close();
    }

    @Test
    void aProcessStartedOutsideAStreamIsKilledAndRefused() throws Exception {
        Process stray = new ProcessBuilder("sleep", "300").start();
        assertThatThrownBy(() -> ProcessRegistry.register(stray)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("outside a stream");
        assertThat(stray.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void sandboxRemovalFollowsNoLinkOut(@TempDir Path dir) throws Exception {
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("keep.txt"), "host file");
        Path sandbox = Files.createDirectories(dir.resolve("sandbox/data/local/tmp"));
        Files.createSymbolicLink(sandbox.resolve("to-outside"), outside);
        Files.createSymbolicLink(sandbox.resolve("to-file"), outside.resolve("keep.txt"));
        Files.writeString(sandbox.resolve("own.txt"), "device file");
        Path locked = Files.createDirectories(sandbox.resolve("locked/inner"));
        Files.writeString(locked.resolve("f"), "x");
        locked.getParent().toFile().setReadable(false);
        locked.getParent().toFile().setExecutable(false);

        SandboxRemoval.remove(dir.resolve("sandbox"));

        assertThat(dir.resolve("sandbox")).doesNotExist();
        assertThat(outside.resolve("keep.txt")).hasContent("host file");
    }

    private static List<ProcessHandle> awaitChildren(Process parent, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (parent.children().count() < count) {
            assertThat(System.nanoTime()).as("children started").isLessThan(deadline);
            Thread.sleep(20);
        }
        return parent.children().toList();
    }
}

package dev.fastvlm.core.device;

import dev.fastvlm.core.DesktopOnly;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** {@link HostProcesses} through the JDK's process handles (Java 9+), which Android's runtime lacks. */
@DesktopOnly("ProcessHandle: Java 9+ process handles")
final class JdkProcesses {
    private JdkProcesses() {
    }

    static long currentPid() {
        return ProcessHandle.current().pid();
    }

    static boolean isAlive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    static void killDescendants(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    static void terminateTree(Process process, long graceNanos) {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + graceNanos;
        for (ProcessHandle handle : tree) {
            long left = deadline - System.nanoTime();
            try {
                if (left > 0) {
                    handle.onExit().get(left, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // Still alive: KILL below.
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }
}

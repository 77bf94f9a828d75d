package dev.fastvlm.core.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Processes of the machine this JVM runs on: its own id, whether another id lives, and stopping a
 * program together with what it started. Through the JDK's {@code ProcessHandle} where the
 * runtime has it; Android's runtime has none, so there the ids come from {@code /proc} and a
 * program is stopped alone ({@link Process#destroy()}, then {@link Process#destroyForcibly()}).
 * The {@code ProcessHandle} calls live in the package's {@code JdkProcesses}, which the Android API check
 * leaves out and which is only loaded where the class exists.
 */
public final class HostProcesses {

    private static final boolean PROCESS_HANDLES = runtimeHas("java.lang.ProcessHandle");

    private HostProcesses() {
    }

    private static boolean runtimeHas(String className) {
        try {
            Class.forName(className, false, HostProcesses.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * This JVM's process id.
     *
     * @return the id, or -1 when the runtime tells none
     */
    public static long currentPid() {
        if (PROCESS_HANDLES) {
            return JdkProcesses.currentPid();
        }
        try {
            return Long.parseLong(Files.readSymbolicLink(Path.of("/proc/self")).toString());
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return -1;
        }
    }

    /**
     * Whether a process of this machine lives.
     *
     * @param pid a process id
     * @return {@code true} when a process with that id runs
     */
    public static boolean isAlive(long pid) {
        if (pid <= 0) {
            return false;
        }
        return PROCESS_HANDLES ? JdkProcesses.isAlive(pid) : Files.isDirectory(Path.of("/proc/" + pid));
    }

    /**
     * TERM to the process and everything it started, up to {@code graceNanos} for them to end, then
     * KILL to what is left. Without process handles, only the process itself.
     *
     * @param process the program to stop
     * @param graceNanos how long they may take to end after TERM
     */
    public static void terminateTree(Process process, long graceNanos) {
        if (PROCESS_HANDLES) {
            JdkProcesses.terminateTree(process, graceNanos);
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(Math.max(0, graceNanos), TimeUnit.NANOSECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    /**
     * KILL to the process and everything it started (without process handles, the process alone).
     *
     * @param process the program to kill
     */
    public static void killTree(Process process) {
        if (PROCESS_HANDLES) {
            JdkProcesses.killDescendants(process);
        }
        process.destroyForcibly();
    }
}

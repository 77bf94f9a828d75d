package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.Confinement;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The device shell where Linux namespaces are unavailable: no host shell at all, but the
 * emulator's own interpreter ({@link ShellInterpreter}) of a POSIX shell subset, with built-in file
 * commands ({@link DeviceCommands}) that see only the device tree, and the emulated tools as the
 * only host programs it starts. Each command line is a {@link ScriptProcess} with a device PID
 * that {@code kill} from another command line reaches, as on a phone.
 */
final class RestrictedShell implements DeviceShell {
    private final Path root;
    private final ToolRuntime tools;
    private final ProcessLauncher launcher;
    private final AtomicInteger nextPid = new AtomicInteger(2000);
    private final Map<Integer, ScriptProcess> processes = new ConcurrentHashMap<>();

    RestrictedShell(Path root, ToolRuntime tools, ProcessLauncher launcher) throws java.io.IOException {
        this.root = root.toRealPath();
        this.tools = tools;
        this.launcher = launcher;
    }

    Path root() {
        return root;
    }

    ToolRuntime tools() {
        return tools;
    }

    @Override
    public Process start(String command, boolean mergeStderr) {
        ScriptProcess process = new ScriptProcess(nextPid.incrementAndGet(), mergeStderr);
        processes.put(process.pid, process);
        Thread runner = new Thread(() -> {
            ShellInterpreter.Io io = process.io();
            ShellInterpreter interpreter = new ShellInterpreter(this, process, DeviceEnvironment.variables(), "/",
                    List.of("sh"));
            int status = 0;
            try {
                if (command.isBlank()) {
                    status = interactive(interpreter, io);
                } else {
                    status = interpreter.runScript(command, io);
                }
            } catch (ShellInterpreter.Exit e) {
                status = e.status;
            } catch (RuntimeException e) {
                io.errors().println("sh: " + e);
                status = 2;
            } finally {
                processes.remove(process.pid);
                process.finish(process.killedBy > 0 ? 128 + process.killedBy : status & 0xff);
            }
        }, "device-sh-" + process.pid);
        runner.setDaemon(true);
        process.runner = runner;
        runner.start();
        return process;
    }

    private static int interactive(ShellInterpreter interpreter, ShellInterpreter.Io io) {
        BufferedReader lines = new BufferedReader(new InputStreamReader(io.in(), StandardCharsets.UTF_8));
        int status = 0;
        try {
            String line;
            while ((line = lines.readLine()) != null) {
                status = interpreter.runScript(line, io);
            }
        } catch (IOException e) {
            // the client went away
        }
        return status;
    }

    /** {@code kill [-SIGNAL | -s SIGNAL] PID...} over this shell's command lines. */
    int kill(List<String> args, PrintStream err) {
        int signal = 15;
        int i = 0;
        if (i < args.size() && args.get(i).equals("-s") && i + 1 < args.size()) {
            signal = signal(args.get(i + 1));
            i += 2;
        } else if (i < args.size() && args.get(i).startsWith("-") && args.get(i).length() > 1) {
            signal = signal(args.get(i).substring(1));
            i++;
        }
        if (signal < 0) {
            err.println("kill: unknown signal");
            return 2;
        }
        int status = 0;
        for (String arg : args.subList(i, args.size())) {
            ScriptProcess target;
            try {
                target = processes.get(Integer.parseInt(arg));
            } catch (NumberFormatException e) {
                err.println("kill: illegal pid " + arg);
                status = 2;
                continue;
            }
            if (target == null || !target.isAlive()) {
                err.println("kill: (" + arg + ") - No such process");
                status = 1;
            } else if (signal != 0) {
                target.signal(signal);
            }
        }
        return status;
    }

    static int signal(String name) {
        return switch (name.toUpperCase(java.util.Locale.ROOT).replace("SIG", "")) {
            case "1", "HUP" -> 1;
            case "2", "INT" -> 2;
            case "9", "KILL" -> 9;
            case "15", "TERM" -> 15;
            case "0", "EXIT" -> 0;
            default -> -1;
        };
    }

    @Override
    public Confinement confinement() {
        return Confinement.RESTRICTED;
    }

    @Override
    public void close() {
        processes.values().forEach(p -> p.signal(9));
    }

    /** One command line run by the interpreter, seen by the shell service as a process. */
    final class ScriptProcess extends Process {
        final int pid;
        private final BytePipe stdin = new BytePipe();
        private final BytePipe stdout = new BytePipe();
        private final BytePipe stderr;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile int exitCode;
        private volatile int killedBy;
        private volatile int pendingTrap;
        private final Map<Integer, String> traps = new ConcurrentHashMap<>();
        private volatile Process child;
        private volatile Thread runner;

        ScriptProcess(int pid, boolean mergeStderr) {
            this.pid = pid;
            this.stderr = mergeStderr ? null : new BytePipe();
        }

        /** The device PID ({@code $$}), which only this shell's {@code kill} knows. */
        int devicePid() {
            return pid;
        }

        ShellInterpreter.Io io() {
            return new ShellInterpreter.Io(stdin.input(), stdout.output(),
                    stderr == null ? stdout.output() : stderr.output());
        }

        /**
         * Ends the command line here if it was killed, or runs the trap of a signal it received
         * (whose {@code exit} ends it).
         */
        void checkAlive(ShellInterpreter at) {
            int trapped = pendingTrap;
            if (trapped != 0) {
                pendingTrap = 0;
                Thread.interrupted();
                at.runTrap(traps.get(trapped), io());
            }
            if (killedBy > 0) {
                throw new ShellInterpreter.Exit(128 + killedBy);
            }
        }

        /** {@code trap}: a handler for a signal, or none for {@code null}. */
        void trap(int signal, String handler) {
            if (handler == null) {
                traps.remove(signal);
            } else {
                traps.put(signal, handler);
            }
        }

        void signal(int signal) {
            if (signal != 9 && traps.containsKey(signal)) {
                pendingTrap = signal;
                Thread thread = runner;
                if (thread != null && thread != Thread.currentThread()) {
                    thread.interrupt();
                }
                return;
            }
            killedBy = signal;
            Process running = child;
            if (running != null) {
                if (signal == 9) {
                    running.destroyForcibly();
                } else {
                    running.destroy();
                }
            }
            Thread thread = runner;
            if (thread != null && thread != Thread.currentThread()) {
                thread.interrupt();
            }
        }

        /** Runs an emulated tool's JVM as this command line's program, its output going where the command's goes. */
        int runChild(ProcessBuilder builder, ShellInterpreter at, ShellInterpreter.Io io) {
            checkAlive(at);
            Process process;
            try {
                process = launcher.start(builder);
            } catch (IOException e) {
                io.errors().println("sh: cannot start the emulated tool: " + e.getMessage());
                return 126;
            }
            child = process;
            try {
                process.getOutputStream().close();
                Thread out = pump(process.getInputStream(), io.out(), process);
                Thread err = pump(process.getErrorStream(), io.err(), process);
                int code = process.waitFor();
                out.join();
                err.join();
                checkAlive(at);
                return code;
            } catch (InterruptedException e) {
                process.destroyForcibly();
                checkAlive(at);
                throw new ShellInterpreter.Exit(130);
            } catch (IOException e) {
                process.destroyForcibly();
                return 1;
            } finally {
                child = null;
            }
        }

        private Thread pump(InputStream from, OutputStream to, Process process) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[64 * 1024];
                try (from) {
                    int n;
                    while ((n = from.read(buffer)) > 0) {
                        to.write(buffer, 0, n);
                    }
                    to.flush();
                } catch (IOException e) {
                    process.destroyForcibly();
                }
            }, "device-sh-" + pid + "-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        void finish(int code) {
            exitCode = code;
            stdout.closeWriter();
            if (stderr != null) {
                stderr.closeWriter();
            }
            stdin.closeReader();
            done.countDown();
        }

        @Override
        public OutputStream getOutputStream() {
            return stdin.output();
        }

        @Override
        public InputStream getInputStream() {
            return stdout.input();
        }

        @Override
        public InputStream getErrorStream() {
            return stderr == null ? InputStream.nullInputStream() : stderr.input();
        }

        @Override
        public int waitFor() throws InterruptedException {
            done.await();
            return exitCode;
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return done.await(timeout, unit);
        }

        @Override
        public int exitValue() {
            if (done.getCount() > 0) {
                throw new IllegalThreadStateException("the device command is still running");
            }
            return exitCode;
        }

        @Override
        public boolean isAlive() {
            return done.getCount() > 0;
        }

        @Override
        public void destroy() {
            signal(15);
        }

        @Override
        public Process destroyForcibly() {
            signal(9);
            return this;
        }

        @Override
        public Stream<ProcessHandle> children() {
            Process running = child;
            return running == null ? Stream.empty() : Stream.of(running.toHandle());
        }

        @Override
        public Stream<ProcessHandle> descendants() {
            Process running = child;
            return running == null ? Stream.empty()
                    : Stream.concat(Stream.of(running.toHandle()), running.descendants());
        }
    }
}

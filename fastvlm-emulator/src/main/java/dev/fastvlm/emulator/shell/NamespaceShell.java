package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.Confinement;
import dev.fastvlm.emulator.ToolEnvironment;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The device's {@code /system/bin/sh} inside Linux namespaces made by bubblewrap. One sandbox per
 * emulator (a holder process started with it and ended by {@link #close()} or the emulator's
 * death) holds the device's namespaces; each command enters them with {@code nsenter}, so all of
 * them share the device's PIDs, as on a phone ({@code kill} from one {@code adb shell} reaches a
 * program another started), and die with the sandbox. Where {@code nsenter} cannot enter it (as an
 * unprivileged user, bubblewrap owns the namespaces by a user namespace {@code nsenter} cannot
 * reach), each command gets a sandbox of its own instead, as confined, its PIDs its own. The
 * file system is the device tree
 * ({@code /data} and {@code /storage/emulated/0} writable, {@code /system} and {@code /vendor}
 * read-only, {@code /sdcard} a link to the emulated storage), on a read-only root with nothing
 * else but, read-only: a fixed set of host commands in {@code /system/bin}, the host's shared
 * libraries, the JDK at {@value #JDK} and the tools' class path under {@value #JAVALIB}. No
 * network, no host process visible, a new session (no terminal to inject into), uid and gid 2000
 * ({@code shell}) with the device's own {@code /etc/passwd}, and an Android-like environment with
 * no host path.
 */
final class NamespaceShell implements DeviceShell {
    /** Where the host's JDK appears on the device. */
    static final String JDK = "/apex/dev.fastvlm.jdk";
    /** Where the tools' class path entries appear on the device. */
    static final String JAVALIB = "/apex/dev.fastvlm.emulator/javalib";
    static final int SHELL_UID = 2000;
    /**
     * Host commands the device gets in {@code /system/bin} (where the host has them): what the
     * project's device scripts, {@code getprop} and a user at an {@code adb shell} prompt need.
     * Those that are also shell built-ins ({@code echo printf test [ kill pwd}) are here for
     * {@code exec} and {@code find -exec}.
     */
    static final List<String> COMMANDS = List.of("echo", "printf", "test", "[", "kill", "pwd", "cat", "ls", "mkdir", "rmdir", "rm", "mv", "cp", "ln", "chmod",
            "touch", "stat", "sha256sum", "md5sum", "df", "du", "date", "grep", "find", "xargs", "sed", "awk", "sleep",
            "dirname", "basename", "head", "tail", "wc", "id", "env", "uname", "tr", "cut", "sort", "uniq", "tee",
            "readlink", "realpath", "timeout", "nproc", "expr", "seq", "od", "cmp", "ps", "true", "false");
    private static final List<String> HOST_BIN = List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin");

    private final List<String> sandbox;
    private final Map<String, String> environment;
    private final ProcessLauncher launcher;
    private Process holder;
    private List<String> enter;
    private boolean shared;

    private NamespaceShell(List<String> sandbox, Map<String, String> environment, ProcessLauncher launcher) {
        this.sandbox = List.copyOf(sandbox);
        this.environment = Map.copyOf(environment);
        this.launcher = launcher;
    }

    /** Why bubblewrap cannot be used here at all (not Linux, not installed), if so. */
    static Optional<String> unavailable(ProcessLauncher launcher) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
            return Optional.of("not Linux but " + System.getProperty("os.name"));
        }
        if (hostProgram("bwrap").isEmpty()) {
            return Optional.of("bubblewrap (bwrap) is not installed");
        }
        if (multiarch().isEmpty()) {
            return Optional.of("no known shared library layout for " + System.getProperty("os.arch"));
        }
        return Optional.empty();
    }

    /** Writes the device's user database and builds the bubblewrap command line. */
    static NamespaceShell create(Path root, ToolRuntime tools, ProcessLauncher launcher) throws IOException {
        Path etc = Files.createDirectories(root.resolve("system/etc"));
        DeviceFiles.writeAtomically(etc.resolve("passwd"), "root:x:0:0:root:/:/system/bin/sh\n"
                + "shell:x:" + SHELL_UID + ":" + SHELL_UID + ":shell:/:/system/bin/sh\n", "rw-r--r--");
        DeviceFiles.writeAtomically(etc.resolve("group"), "root:x:0:\nshell:x:" + SHELL_UID + ":\n", "rw-r--r--");
        DeviceFiles.writeAtomically(etc.resolve("nsswitch.conf"), "passwd: files\ngroup: files\n", "rw-r--r--");
        for (String dir : new String[] {"data/local/tmp", "data/media/0", "vendor"}) {
            Files.createDirectories(root.resolve(dir));
        }
        List<String> a = new ArrayList<>(List.of(hostProgram("bwrap").orElseThrow().toString(), "--unshare-all",
                "--die-with-parent", "--new-session", "--uid", Integer.toString(SHELL_UID), "--gid",
                Integer.toString(SHELL_UID), "--hostname", "localhost", "--clearenv", "--proc", "/proc", "--dev", "/dev"));
        libraries(a);
        a.addAll(List.of("--ro-bind", root.resolve("system").toString(), "/system"));
        a.addAll(List.of("--tmpfs", "/system/bin"));
        bind(a, root.resolve("system/bin/getprop"), "/system/bin/getprop");
        Map<String, Path> commands = commands();
        commands.forEach((name, binary) -> bind(a, binary, "/system/bin/" + name));
        a.addAll(List.of("--remount-ro", "/system/bin", "--symlink", "/system/bin/sh", "/bin/sh"));
        a.addAll(List.of("--dir", "/etc"));
        for (String file : new String[] {"passwd", "group", "nsswitch.conf"}) {
            bind(a, etc.resolve(file), "/etc/" + file);
        }
        a.addAll(List.of("--ro-bind", root.resolve("vendor").toString(), "/vendor"));
        a.addAll(List.of("--bind", root.resolve("data").toString(), "/data"));
        a.addAll(List.of("--bind", root.resolve("data/media/0").toString(), "/storage/emulated/0"));
        a.addAll(List.of("--symlink", "/storage/emulated/0", "/sdcard"));
        Path javaHome = javaHome(tools.javaCommand());
        bind(a, javaHome, JDK);
        for (Path outside : linkedFromJdk(javaHome)) {
            bind(a, outside, outside.toString());
        }
        List<String> classpath = new ArrayList<>();
        int i = 0;
        for (String entry : tools.classpathEntries()) {
            Path host = Path.of(entry);
            if (Files.exists(host)) {
                String device = JAVALIB + "/" + (i++) + "-" + host.getFileName();
                bind(a, host.toRealPath(), device);
                classpath.add(device);
            }
        }
        a.addAll(List.of("--remount-ro", "/", "--chdir", "/"));
        Map<String, String> env = DeviceEnvironment.variables();
        env.put("LANG", "C.UTF-8");
        // the tokenizer library of genie-t2t-run unpacks its native part into a cache the device can write
        env.put("DJL_CACHE_DIR", "/data/local/tmp/.djl.ai");
        // genie-t2t-run's tokenizer keeps its parsed form there: a second's parse once, not every run
        env.put(ToolEnvironment.TOOL_CACHE, ToolEnvironment.CACHE_DIR);
        env.put(ToolEnvironment.JAVA, JDK + "/bin/java");
        env.put(ToolEnvironment.CLASSPATH, String.join(File.pathSeparator, classpath));
        env.putAll(tools.settings());
        return new NamespaceShell(a, env, launcher);
    }

    /**
     * Sets up the sandbox and runs {@code true} in it: the shared sandbox entered with {@code
     * nsenter} where that works, else one sandbox per command. Why neither works, if so (no user
     * namespaces, a mount bubblewrap refuses).
     */
    Optional<String> probe() {
        return probe(true);
    }

    /** {@link #probe()}, trying the shared sandbox only if {@code tryShared}. */
    Optional<String> probe(boolean tryShared) {
        String sharedProblem = "not tried";
        if (tryShared) {
            Optional<String> problem = startHolder().or(() -> runs("true"));
            if (problem.isEmpty()) {
                shared = true;
                return Optional.empty();
            }
            sharedProblem = problem.get();
            close();
        }
        List<String> own = new ArrayList<>(sandbox);
        own.add("--as-pid-1");
        environment.forEach((name, value) -> own.addAll(List.of("--setenv", name, value)));
        own.add("/system/bin/sh");
        synchronized (this) {
            enter = List.copyOf(own);
        }
        Optional<String> problem = runs("true");
        if (problem.isPresent()) {
            close();
            return Optional.of(problem.get() + (tryShared ? " (and the shared sandbox: " + sharedProblem + ")" : ""));
        }
        if (tryShared) {
            LoggerFactory.getLogger(NamespaceShell.class).warn("the device's commands cannot enter one shared sandbox"
                    + " ({}): each gets a sandbox of its own, as confined, but with PIDs of its own (a kill from one"
                    + " adb shell does not reach another's program; closing its stream ends it)", sharedProblem);
        }
        return Optional.empty();
    }

    /** Whether commands share one sandbox (and the device's PIDs). */
    boolean shared() {
        return shared;
    }

    private Optional<String> runs(String command) {
        try {
            Process p = start(command, true);
            p.getOutputStream().close();
            byte[] output;
            try (InputStream in = p.getInputStream()) {
                output = in.readNBytes(4096);
            }
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.of("a probe did not finish within 30 s");
            }
            if (p.exitValue() != 0) {
                return Optional.of("exit code " + p.exitValue() + ": " + new String(output, StandardCharsets.UTF_8).strip());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("cannot start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while probing the sandbox");
        }
    }

    /**
     * Starts bubblewrap with a holder (a shell waiting on the standard input only the emulator
     * holds) and finds it, whose namespaces every command then enters.
     */
    private synchronized Optional<String> startHolder() {
        Optional<Path> nsenter = hostProgram("nsenter");
        if (nsenter.isEmpty()) {
            return Optional.of("nsenter (util-linux) is not installed");
        }
        List<String> command = new ArrayList<>(sandbox);
        command.addAll(List.of("/system/bin/sh", "-c", "read _"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().clear();
        try {
            holder = launcher.start(builder);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                if (!holder.isAlive()) {
                    String output = new String(holder.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).strip();
                    return Optional.of("bwrap exited with " + holder.exitValue() + ": " + output);
                }
                // bwrap's child is the namespace's init; its child, the holder shell, is set up in full
                Optional<ProcessHandle> inside = holder.children().flatMap(ProcessHandle::children).findFirst();
                if (inside.isPresent()) {
                    enter = List.of(nsenter.get().toString(), "--target", Long.toString(inside.get().pid()), "--user",
                            "--mount", "--pid", "--net", "--uts", "--ipc", "--cgroup", "--root", "--wd", "--setuid",
                            Integer.toString(SHELL_UID), "--setgid", Integer.toString(SHELL_UID), "/system/bin/sh");
                    return Optional.empty();
                }
                Thread.sleep(10);
            }
            return Optional.of("bwrap did not set up the sandbox within 30 s");
        } catch (IOException e) {
            return Optional.of("bwrap could not be started: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while starting the sandbox");
        }
    }

    @Override
    public Process start(String command, boolean mergeStderr) throws IOException {
        List<String> argv;
        synchronized (this) {
            if (enter == null) {
                throw new IOException("the device's sandbox is closed");
            }
            argv = new ArrayList<>(enter);
        }
        if (!command.isBlank()) {
            argv.add("-c");
            argv.add(command);
        }
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(mergeStderr);
        builder.environment().clear();
        builder.environment().putAll(environment); // nsenter hands it on; a bwrap per command sets it itself
        return launcher.start(builder);
    }

    /**
     * Ends the sandbox: its init dies with bubblewrap, and every device process with its PID
     * namespace (a sandbox per command ends with its command's stream).
     */
    @Override
    public synchronized void close() {
        enter = null;
        if (holder != null) {
            holder.destroyForcibly();
            holder = null;
        }
    }

    @Override
    public Confinement confinement() {
        return Confinement.NAMESPACES;
    }

    private static void bind(List<String> args, Path host, String device) {
        args.addAll(List.of("--ro-bind", host.toString(), device));
    }

    private static Optional<Path> hostProgram(String name) {
        for (String dir : HOST_BIN) {
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static Optional<String> multiarch() {
        return switch (System.getProperty("os.arch", "")) {
            case "amd64", "x86_64" -> Optional.of("x86_64-linux-gnu");
            case "aarch64", "arm64" -> Optional.of("aarch64-linux-gnu");
            default -> Optional.empty();
        };
    }

    /**
     * The host's shared libraries (the dynamic loader, libc and what the shell, the commands and the
     * JDK link against), read-only, at their own paths: {@code /lib} and {@code /lib64} as links where
     * the host has merged them into {@code /usr}.
     */
    private static void libraries(List<String> args) throws IOException {
        String arch = multiarch().orElseThrow();
        for (String top : new String[] {"/lib", "/lib64"}) {
            Path p = Path.of(top);
            if (Files.isSymbolicLink(p)) {
                args.addAll(List.of("--symlink", Files.readSymbolicLink(p).toString(), top));
            }
        }
        for (String dir : new String[] {"/usr/lib/" + arch, "/usr/lib64", "/lib/" + arch, "/lib64"}) {
            Path p = Path.of(dir);
            if (Files.isDirectory(p) && !hasLinkedParent(p)) {
                bind(args, p, dir);
            }
        }
    }

    private static boolean hasLinkedParent(Path p) {
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.isSymbolicLink(q)) {
                return true;
            }
        }
        return false;
    }

    /** Each command of {@link #COMMANDS} the host has, and {@code sh}, by the real path of its program. */
    private static Map<String, Path> commands() throws IOException {
        Map<String, Path> found = new LinkedHashMap<>();
        Path sh = Path.of("/bin/sh");
        if (!Files.isExecutable(sh)) {
            throw new IOException("the host has no /bin/sh to serve as the device's shell");
        }
        found.put("sh", sh.toRealPath());
        for (String name : COMMANDS) {
            for (String dir : HOST_BIN) {
                Path candidate = Path.of(dir, name);
                if (Files.isExecutable(candidate)) {
                    found.put(name, candidate.toRealPath());
                    break;
                }
            }
        }
        return found;
    }

    private static Path javaHome(String javaCommand) throws IOException {
        Path java = Path.of(javaCommand);
        if (!java.isAbsolute()) {
            String path = System.getenv("PATH");
            for (String dir : (path == null ? "" : path).split(File.pathSeparator)) {
                if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, javaCommand))) {
                    java = Path.of(dir, javaCommand);
                    break;
                }
            }
        }
        Path home = java.toRealPath().getParent().getParent();
        if (home == null || !Files.isDirectory(home.resolve("lib"))) {
            throw new IOException("cannot find the JDK of " + javaCommand + " to give the emulated tools");
        }
        return home;
    }

    /**
     * Folders outside the JDK that its absolute links point into (a distribution's JDK keeps its
     * configuration in {@code /etc}), to appear at their own paths so those links resolve.
     */
    private static List<Path> linkedFromJdk(Path javaHome) throws IOException {
        TreeSet<Path> folders = new TreeSet<>();
        try (Stream<Path> files = Files.walk(javaHome)) {
            for (Path link : (Iterable<Path>) files.filter(Files::isSymbolicLink)::iterator) {
                Path target = Files.readSymbolicLink(link);
                if (target.isAbsolute() && !target.startsWith(javaHome) && target.getParent() != null
                        && Files.isDirectory(target.getParent()) && !link.startsWith(javaHome.resolve("man"))) {
                    folders.add(target.getParent().normalize());
                }
            }
        }
        List<Path> outermost = new ArrayList<>();
        for (Path folder : folders) {
            if (outermost.stream().noneMatch(folder::startsWith)) {
                outermost.add(folder);
            }
        }
        return outermost;
    }
}

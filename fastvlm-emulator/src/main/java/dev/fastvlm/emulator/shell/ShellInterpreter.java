package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.ToolEnvironment;
import dev.fastvlm.emulator.fs.DeviceFileSystem;
import dev.fastvlm.emulator.shell.ShellSyntax.Arithmetic;
import dev.fastvlm.emulator.shell.ShellSyntax.Command;
import dev.fastvlm.emulator.shell.ShellSyntax.For;
import dev.fastvlm.emulator.shell.ShellSyntax.Group;
import dev.fastvlm.emulator.shell.ShellSyntax.If;
import dev.fastvlm.emulator.shell.ShellSyntax.Literal;
import dev.fastvlm.emulator.shell.ShellSyntax.Parameter;
import dev.fastvlm.emulator.shell.ShellSyntax.Part;
import dev.fastvlm.emulator.shell.ShellSyntax.Redirect;
import dev.fastvlm.emulator.shell.ShellSyntax.Sequence;
import dev.fastvlm.emulator.shell.ShellSyntax.Simple;
import dev.fastvlm.emulator.shell.ShellSyntax.Substitution;
import dev.fastvlm.emulator.shell.ShellSyntax.While;
import dev.fastvlm.emulator.shell.ShellSyntax.Word;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs {@link ShellSyntax} scripts for the restricted shell. Programs are the built-in commands of
 * {@link DeviceCommands}, nested {@code sh} scripts, and the emulated tools: a file on the device
 * whose content is a script of the emulated SDK runs the named tool's JVM on the host, with the
 * emulator's own {@code java} and class path (nothing the device wrote chooses what runs), in the
 * host folder of the device's working directory, with the device's environment handed over in
 * one variable (so no device variable such as {@code LD_PRELOAD} reaches the host's loader). Every
 * path is a device path, resolved inside the sandbox: {@code ..} stops at {@code /}, links are
 * never followed, and only {@code /data} can be written.
 */
final class ShellInterpreter {
    static final Set<String> TOOLS = Set.of("qnn-net-run", "genie-t2t-run", "qnn-context-binary-utility");
    private static final Pattern TOOL_SCRIPT = Pattern.compile(
            "^#!/bin/sh\\n# (\\S+) of the fastvlm emulated QAIRT SDK.*\\n.*dev\\.fastvlm\\.emulator\\.tools\\.EmulatedTools (\\S+) \"\\$@\"\\n?$",
            Pattern.DOTALL);
    private static final int MAX_CAPTURE = 16 * 1024 * 1024;

    /** Ends the script with a status ({@code exit}, a fatal error, or a kill). */
    static final class Exit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        Exit(int status) {
            super(null, null, false, false);
            this.status = status;
        }
    }

    /** {@code break} and {@code continue}. */
    private static final class LoopControl extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean isBreak;
        int levels;

        LoopControl(boolean isBreak, int levels) {
            super(null, null, false, false);
            this.isBreak = isBreak;
            this.levels = levels;
        }
    }

    /** Where a command reads and writes. */
    record Io(InputStream in, OutputStream out, OutputStream err) {
        PrintStream errors() {
            return new PrintStream(err, true, StandardCharsets.UTF_8);
        }
    }

    final RestrictedShell shell;
    final RestrictedShell.ScriptProcess process;
    final Map<String, String> variables;
    final Set<String> exported;
    List<String> positional;
    String cwd;
    int status;
    private int loopDepth;
    private final DeviceCommands commands = new DeviceCommands(this);

    ShellInterpreter(RestrictedShell shell, RestrictedShell.ScriptProcess process, Map<String, String> environment,
                     String cwd, List<String> positional) {
        this.shell = shell;
        this.process = process;
        this.variables = new LinkedHashMap<>(environment);
        this.exported = new TreeSet<>(environment.keySet());
        this.cwd = cwd;
        this.positional = new ArrayList<>(positional);
    }

    /** Parses and runs a script; a syntax error ends it with status 2, as in {@code sh}. */
    int runScript(String script, Io io) {
        Sequence parsed;
        try {
            parsed = ShellSyntax.parse(script);
        } catch (ShellSyntax.SyntaxException e) {
            io.errors().println("sh: " + e.getMessage());
            return 2;
        }
        try {
            return run(parsed, io);
        } catch (Exit e) {
            return e.status;
        } catch (LoopControl e) {
            return status;
        }
    }

    /** Runs a signal's trap; its {@code exit} ends the command line. */
    void runTrap(String handler, Io io) {
        try {
            run(ShellSyntax.parse(handler), io);
        } catch (ShellSyntax.SyntaxException e) {
            io.errors().println("sh: trap: " + e.getMessage());
        }
    }

    int run(Sequence sequence, Io io) {
        int result = 0;
        for (ShellSyntax.AndOr item : sequence.items()) {
            result = runAndOr(item, io);
        }
        return result;
    }

    private int runAndOr(ShellSyntax.AndOr item, Io io) {
        int result = runPipeline(item.pipelines().get(0), io);
        for (int i = 1; i < item.pipelines().size(); i++) {
            boolean and = item.and().get(i - 1);
            if ((result == 0) == and) {
                result = runPipeline(item.pipelines().get(i), io);
            }
        }
        status = result;
        return result;
    }

    private int runPipeline(ShellSyntax.Pipeline pipeline, Io io) {
        int result;
        if (pipeline.commands().size() == 1) {
            result = runCommand(pipeline.commands().get(0), io);
        } else {
            InputStream in = io.in();
            result = 0;
            for (int i = 0; i < pipeline.commands().size(); i++) {
                boolean last = i == pipeline.commands().size() - 1;
                ByteArrayOutputStream captured = new ByteArrayOutputStream();
                OutputStream out = last ? io.out() : new Capture(captured);
                result = runCommand(pipeline.commands().get(i), new Io(in, out, io.err()));
                in = new ByteArrayInputStream(captured.toByteArray());
            }
        }
        status = pipeline.negate() ? (result == 0 ? 1 : 0) : result;
        return status;
    }

    int runCommand(Command command, Io io) {
        process.checkAlive(this);
        List<Redirect> redirects;
        if (command instanceof Simple s) {
            redirects = s.redirects();
        } else if (command instanceof If c) {
            redirects = c.redirects();
        } else if (command instanceof For c) {
            redirects = c.redirects();
        } else if (command instanceof While c) {
            redirects = c.redirects();
        } else {
            redirects = ((Group) command).redirects();
        }
        List<AutoCloseableStream> opened = new ArrayList<>();
        try {
            Io redirected;
            try {
                redirected = redirect(redirects, io, opened);
            } catch (IOException e) {
                io.errors().println("sh: " + e.getMessage());
                return 1;
            }
            if (command instanceof Simple s) {
                return simple(s, redirected);
            }
            if (command instanceof If c) {
                return ifCommand(c, redirected);
            }
            if (command instanceof For c) {
                return forCommand(c, redirected);
            }
            if (command instanceof While c) {
                return whileCommand(c, redirected);
            }
            return group((Group) command, redirected);
        } finally {
            for (AutoCloseableStream stream : opened) {
                stream.closeQuietly();
            }
        }
    }

    private int ifCommand(If c, Io io) {
        for (int i = 0; i < c.conditions().size(); i++) {
            if (run(c.conditions().get(i), io) == 0) {
                return run(c.bodies().get(i), io);
            }
        }
        return c.otherwise() == null ? 0 : run(c.otherwise(), io);
    }

    private int forCommand(For c, Io io) {
        List<String> items = new ArrayList<>();
        if (c.items() == null) {
            items.addAll(positional.subList(Math.min(1, positional.size()), positional.size()));
        } else {
            for (Word w : c.items()) {
                items.addAll(expand(w, io));
            }
        }
        int result = 0;
        loopDepth++;
        try {
            for (String item : items) {
                variables.put(c.variable(), item);
                OptionalInt pass = loopPass(c.body(), io, result);
                if (pass.isEmpty()) {
                    break;
                }
                result = pass.getAsInt();
            }
        } finally {
            loopDepth--;
        }
        return result;
    }

    private int whileCommand(While c, Io io) {
        int result = 0;
        loopDepth++;
        try {
            while ((run(c.condition(), io) == 0) != c.until()) {
                OptionalInt pass = loopPass(c.body(), io, result);
                if (pass.isEmpty()) {
                    break;
                }
                result = pass.getAsInt();
            }
        } finally {
            loopDepth--;
        }
        return result;
    }

    /**
     * One pass of a loop's body: its status, or empty when a {@code break} ends the loop (a
     * {@code continue} keeps {@code previous}); a break or continue aimed at an outer loop goes on out.
     */
    private OptionalInt loopPass(Sequence body, Io io, int previous) {
        try {
            return OptionalInt.of(run(body, io));
        } catch (LoopControl control) {
            if (--control.levels > 0) {
                throw control;
            }
            return control.isBreak ? OptionalInt.empty() : OptionalInt.of(previous);
        }
    }

    private int group(Group c, Io io) {
        if (!c.subshell()) {
            return run(c.body(), io);
        }
        ShellInterpreter sub = new ShellInterpreter(shell, process, Map.of(), cwd, positional);
        sub.variables.putAll(variables);
        sub.exported.addAll(exported);
        sub.status = status;
        try {
            return sub.run(c.body(), io);
        } catch (Exit e) {
            return e.status;
        }
    }

    private int simple(Simple s, Io io) {
        List<String> argv = new ArrayList<>();
        for (Word w : s.words()) {
            argv.addAll(expand(w, io));
        }
        Map<String, String> assigned = new LinkedHashMap<>();
        for (ShellSyntax.Assignment a : s.assignments()) {
            assigned.put(a.name(), expandString(a.value(), io));
        }
        if (argv.isEmpty()) {
            variables.putAll(assigned);
            return s.words().isEmpty() ? status : 0;
        }
        return execute(argv, assigned, io);
    }

    /** Runs a command by name: a shell built-in, a device command, or a program file. */
    int execute(List<String> argv, Map<String, String> assigned, Io io) {
        process.checkAlive(this);
        String name = argv.get(0);
        List<String> args = argv.subList(1, argv.size());
        PrintStream err = io.errors();
        switch (name) {
            case ":", "true" -> {
                return 0;
            }
            case "false" -> {
                return 1;
            }
            case "exit" -> throw new Exit(args.isEmpty() ? status : parseStatus(args.get(0)));
            case "exec" -> {
                if (args.isEmpty()) {
                    return 0;
                }
                throw new Exit(execute(new ArrayList<>(args), assigned, io));
            }
            case "break", "continue" -> {
                if (loopDepth == 0) {
                    return 0;
                }
                int levels = args.isEmpty() ? 1 : Math.max(1, parseStatus(args.get(0)));
                throw new LoopControl(name.equals("break"), Math.min(levels, loopDepth));
            }
            case "cd" -> {
                String target = args.isEmpty() ? variables.getOrDefault("HOME", "/") : args.get(0);
                String device = normalize(target);
                try {
                    if (!Files.isDirectory(host(device, false), LinkOption.NOFOLLOW_LINKS)) {
                        err.println("sh: cd: can't cd to " + target);
                        return 2;
                    }
                } catch (IOException e) {
                    err.println("sh: cd: can't cd to " + target + ": " + e.getMessage());
                    return 2;
                }
                cwd = device;
                variables.put("PWD", cwd);
                return 0;
            }
            case "export" -> {
                for (String a : args) {
                    int eq = a.indexOf('=');
                    String key = eq < 0 ? a : a.substring(0, eq);
                    if (!key.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                        err.println("sh: export: " + key + ": bad variable name");
                        return 2;
                    }
                    if (eq >= 0) {
                        variables.put(key, a.substring(eq + 1));
                    }
                    exported.add(key);
                }
                return 0;
            }
            case "unset" -> {
                args.forEach(variables::remove);
                args.forEach(exported::remove);
                return 0;
            }
            case "set" -> {
                if (args.isEmpty()) {
                    PrintStream out = new PrintStream(io.out(), true, StandardCharsets.UTF_8);
                    new TreeMap<>(variables).forEach((k, v) -> out.println(k + "='" + v.replace("'", "'\\''") + "'"));
                }
                return 0;
            }
            case "env" -> {
                if (!args.isEmpty()) {
                    err.println("env: running programs through env is not supported by this device's restricted shell");
                    return 1;
                }
                PrintStream out = new PrintStream(io.out(), true, StandardCharsets.UTF_8);
                Map<String, String> env = new TreeMap<>(environment());
                env.putAll(assigned);
                env.forEach((k, v) -> out.println(k + "=" + v));
                return 0;
            }
            case "sh" -> {
                return nestedShell(args, io);
            }
            case "kill" -> {
                return shell.kill(args, err);
            }
            case "trap" -> {
                if (args.size() < 2) {
                    return 0;
                }
                for (String signalName : args.subList(1, args.size())) {
                    int signal = RestrictedShell.signal(signalName);
                    if (signal <= 0 || signal == 9) {
                        err.println("trap: " + signalName + ": signals other than HUP, INT and TERM cannot be trapped here");
                        return 1;
                    }
                    process.trap(signal, args.get(0).equals("-") ? null : args.get(0));
                }
                return 0;
            }
            default -> {
                if (DeviceCommands.NAMES.contains(name)) {
                    try {
                        return commands.run(name, args, io);
                    } catch (IOException | UncheckedIOException e) {
                        err.println(name + ": " + e.getMessage());
                        return 1;
                    }
                }
                return program(argv, assigned, io);
            }
        }
    }

    private int nestedShell(List<String> args, Io io) {
        String script;
        List<String> params = new ArrayList<>();
        if (!args.isEmpty() && args.get(0).equals("-c")) {
            if (args.size() < 2) {
                io.errors().println("sh: -c requires an argument");
                return 2;
            }
            script = args.get(1);
            params.addAll(args.size() > 2 ? args.subList(2, args.size()) : List.of("sh"));
        } else if (!args.isEmpty()) {
            try {
                script = Files.readString(host(normalize(args.get(0)), false), StandardCharsets.UTF_8);
            } catch (IOException e) {
                io.errors().println("sh: can't open " + args.get(0));
                return 127;
            }
            params.addAll(args);
        } else {
            try {
                script = new String(io.in().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return 2;
            }
            params.add("sh");
        }
        ShellInterpreter sub = new ShellInterpreter(shell, process, environment(), cwd, params);
        return sub.runScript(script, io);
    }

    /** The variables a program started from here gets. */
    Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String name : exported) {
            String value = variables.get(name);
            if (value != null) {
                env.put(name, value);
            }
        }
        return env;
    }

    private int program(List<String> argv, Map<String, String> assigned, Io io) {
        String name = argv.get(0);
        PrintStream err = io.errors();
        Path file = null;
        try {
            if (name.contains("/")) {
                file = host(normalize(name), false);
            } else {
                for (String dir : variables.getOrDefault("PATH", "").split(":")) {
                    if (dir.startsWith("/")) {
                        Path candidate = host(normalize(dir + "/" + name), false);
                        if (Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
                            file = candidate;
                            break;
                        }
                    }
                }
            }
        } catch (IOException e) {
            err.println("sh: " + name + ": " + e.getMessage());
            return 126;
        }
        if (file == null || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            err.println("sh: " + name + ": not found");
            return 127;
        }
        if (!Files.isExecutable(file)) {
            err.println("sh: " + name + ": Permission denied");
            return 126;
        }
        String content;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            content = new String(in.readNBytes(64 * 1024), StandardCharsets.UTF_8);
        } catch (IOException e) {
            err.println("sh: " + name + ": " + e.getMessage());
            return 126;
        }
        Matcher tool = TOOL_SCRIPT.matcher(content);
        if (tool.matches() && tool.group(1).equals(tool.group(2)) && TOOLS.contains(tool.group(2))) {
            return runTool(tool.group(2), argv.subList(1, argv.size()), assigned, io);
        }
        if (content.startsWith("#!/bin/sh\n") || content.startsWith("#!/system/bin/sh\n")) {
            ShellInterpreter sub = new ShellInterpreter(shell, process, merged(assigned), cwd, argv);
            return sub.runScript(content, io);
        }
        err.println("sh: " + name + ": cannot execute: this device's restricted shell runs only the emulated tools"
                + " and shell scripts");
        return 126;
    }

    private Map<String, String> merged(Map<String, String> assigned) {
        Map<String, String> env = environment();
        env.putAll(assigned);
        return env;
    }

    private int runTool(String tool, List<String> args, Map<String, String> assigned, Io io) {
        List<String> command = new ArrayList<>(List.of(shell.tools().javaCommand(), "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC", "-Xshare:auto", "-cp", shell.tools().classpath(),
                "dev.fastvlm.emulator.tools.EmulatedTools", tool));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        try {
            builder.directory(host(cwd, false).toFile());
        } catch (IOException e) {
            io.errors().println("sh: " + tool + ": " + e.getMessage());
            return 126;
        }
        Map<String, String> env = builder.environment();
        env.clear();
        env.put("LANG", "C.UTF-8");
        env.put(ToolEnvironment.DEVICE_ENVIRONMENT, ToolEnvironment.encode(merged(assigned)));
        env.putAll(shell.tools().settings());
        env.put(ToolEnvironment.JAVA, shell.tools().javaCommand());
        env.put(ToolEnvironment.CLASSPATH, shell.tools().classpath());
        env.put(ToolEnvironment.SANDBOX, shell.root().toString());
        return process.runChild(builder, this, io);
    }

    // ---- expansion -------------------------------------------------------------------------

    /** A word's fields: parameters, substitutions and arithmetic expanded, unquoted results split, globs matched. */
    List<String> expand(Word word, Io io) {
        List<Field> fields = new ArrayList<>();
        Field current = null;
        for (Part part : word.parts()) {
            if (part instanceof Literal l) {
                current = current == null ? new Field() : current;
                current.append(l.text(), !l.quoted());
                continue;
            }
            if (part instanceof Parameter p && (p.name().equals("@")) && p.quoted()) {
                List<String> params = positional.subList(Math.min(1, positional.size()), positional.size());
                for (int i = 0; i < params.size(); i++) {
                    if (i > 0) {
                        fields.add(current);
                        current = null;
                    }
                    current = current == null ? new Field() : current;
                    current.append(params.get(i), false);
                }
                continue;
            }
            String value = value(part, io);
            if (part.quoted()) {
                current = current == null ? new Field() : current;
                current.append(value, false);
                continue;
            }
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == ' ' || c == '\t' || c == '\n') {
                    if (current != null) {
                        fields.add(current);
                        current = null;
                    }
                } else {
                    current = current == null ? new Field() : current;
                    current.append(String.valueOf(c), false);
                }
            }
        }
        if (current != null) {
            fields.add(current);
        }
        List<String> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.glob) {
                out.addAll(glob(f));
            } else {
                out.add(f.text.toString());
            }
        }
        return out;
    }

    /** A word expanded as one string (assignments, redirection targets): no splitting, no globs. */
    String expandString(Word word, Io io) {
        StringBuilder out = new StringBuilder();
        for (Part part : word.parts()) {
            out.append(part instanceof Literal l ? l.text() : value(part, io));
        }
        return out.toString();
    }

    private String value(Part part, Io io) {
        if (part instanceof Parameter p) {
            String v = parameter(p.name());
            return v.isEmpty() && p.fallback() != null ? expandString(p.fallback(), io) : v;
        }
        if (part instanceof Substitution s) {
            return substitute(s.body(), io);
        }
        if (part instanceof Arithmetic a) {
            return Long.toString(arithmetic(expandString(a.expression(), io), io));
        }
        return ((Literal) part).text();
    }

    private String parameter(String name) {
        return switch (name) {
            case "?" -> Integer.toString(status);
            case "$" -> Integer.toString(process.devicePid());
            case "#" -> Integer.toString(Math.max(0, positional.size() - 1));
            case "@", "*" -> String.join(" ", positional.subList(Math.min(1, positional.size()), positional.size()));
            case "!" -> "";
            default -> {
                if (name.length() == 1 && Character.isDigit(name.charAt(0))) {
                    int n = name.charAt(0) - '0';
                    yield n < positional.size() ? positional.get(n) : "";
                }
                yield variables.getOrDefault(name, "");
            }
        };
    }

    private String substitute(Sequence body, Io io) {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ShellInterpreter sub = new ShellInterpreter(shell, process, Map.of(), cwd, positional);
        sub.variables.putAll(variables);
        sub.exported.addAll(exported);
        sub.status = status;
        int result;
        try {
            result = sub.run(body, new Io(io.in(), new Capture(captured), io.err()));
        } catch (Exit e) {
            result = e.status;
        }
        status = result;
        String text = captured.toString(StandardCharsets.UTF_8);
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.substring(0, end);
    }

    private long arithmetic(String expression, Io io) {
        try {
            return new ArithmeticParser(expression, variables).evaluate();
        } catch (ArithmeticException | IllegalArgumentException e) {
            io.errors().println("sh: arithmetic expression: " + e.getMessage() + ": \"" + expression.strip() + "\"");
            throw new Exit(2);
        }
    }

    private List<String> glob(Field field) {
        String pattern = field.pattern.toString();
        String text = field.text.toString();
        boolean absolute = text.startsWith("/");
        String[] parts = text.split("/", -1);
        String[] patterns = pattern.split("/", -1);
        if (parts.length != patterns.length) {
            return List.of(text);
        }
        List<String> matches = new ArrayList<>();
        matches.add(absolute ? "/" : "");
        for (int i = absolute ? 1 : 0; i < parts.length; i++) {
            String component = patterns[i];
            List<String> next = new ArrayList<>();
            for (String prefix : matches) {
                String joined = prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
                if (!component.contains("\u0000")) {
                    next.add(joined + parts[i]);
                    continue;
                }
                Pattern regex = Pattern.compile(component.replace("\u0000", ""), Pattern.DOTALL);
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(host(normalize(prefix.isEmpty() ? "."
                        : prefix), false))) {
                    List<String> names = new ArrayList<>();
                    for (Path entry : entries) {
                        String n = entry.getFileName().toString();
                        if ((!n.startsWith(".") || parts[i].startsWith(".")) && regex.matcher(n).matches()) {
                            names.add(n);
                        }
                    }
                    names.sort(null);
                    names.forEach(n -> next.add(joined + n));
                } catch (IOException e) {
                    // a folder that cannot be listed matches nothing
                }
            }
            matches = next;
        }
        return matches.isEmpty() ? List.of(text) : matches;
    }

    /** A field being built: its text, and a regex of it where unquoted glob characters are active (marked by NUL). */
    private static final class Field {
        final StringBuilder text = new StringBuilder();
        final StringBuilder pattern = new StringBuilder();
        boolean glob;

        void append(String s, boolean active) {
            text.append(s);
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (active && (c == '*' || c == '?')) {
                    pattern.append(c == '*' ? "\u0000.*" : "\u0000.");
                    glob = true;
                } else if (c == '/') {
                    pattern.append('/');
                } else {
                    pattern.append(Pattern.quote(String.valueOf(c)));
                }
            }
        }
    }

    // ---- paths -----------------------------------------------------------------------------

    /** A device path made absolute against the working directory, {@code .} and {@code ..} applied ({@code /..} is {@code /}). */
    String normalize(String path) {
        String absolute = path.startsWith("/") ? path : cwd + "/" + path;
        Deque<String> parts = new ArrayDeque<>();
        for (String part : absolute.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /**
     * The host path of a normalized device path, refusing links on the way and, for writes,
     * anything outside {@code /data}.
     */
    Path host(String devicePath, boolean write) throws IOException {
        if (devicePath.indexOf('\0') >= 0) {
            throw new IOException("invalid path");
        }
        List<String> components = DeviceFileSystem.components(devicePath);
        if (write && (components.size() < 2 || !components.get(0).equals("data"))) {
            throw new IOException(devicePath + ": Read-only file system");
        }
        Path host = shell.root();
        for (String component : components) {
            host = host.resolve(component);
            if (Files.isSymbolicLink(host)) {
                throw new IOException(devicePath + ": symbolic links are not followed on this device");
            }
        }
        return host;
    }

    // ---- redirections ----------------------------------------------------------------------

    private Io redirect(List<Redirect> redirects, Io io, List<AutoCloseableStream> opened) throws IOException {
        InputStream in = io.in();
        OutputStream out = io.out();
        OutputStream err = io.err();
        for (Redirect r : redirects) {
            String target = expandString(r.target(), io);
            switch (r.op()) {
                case ">&", "<&" -> {
                    OutputStream dup = switch (target) {
                        case "1" -> out;
                        case "2" -> err;
                        case "-" -> OutputStream.nullOutputStream();
                        default -> throw new IOException(target + ": bad file descriptor");
                    };
                    if (r.fd() == 1) {
                        out = dup;
                    } else if (r.fd() == 2) {
                        err = dup;
                    } else if (r.fd() != 0) {
                        throw new IOException(r.fd() + ": bad file descriptor");
                    }
                }
                case "<" -> {
                    InputStream source = target.equals("/dev/null") ? InputStream.nullInputStream()
                            : Files.newInputStream(host(normalize(target), false), LinkOption.NOFOLLOW_LINKS);
                    opened.add(new AutoCloseableStream(source));
                    if (r.fd() == 0) {
                        in = source;
                    }
                }
                default -> {
                    OutputStream sink;
                    if (target.equals("/dev/null")) {
                        sink = OutputStream.nullOutputStream();
                    } else {
                        Path file = host(normalize(target), true);
                        sink = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                                r.op().equals(">>") ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING,
                                LinkOption.NOFOLLOW_LINKS);
                        opened.add(new AutoCloseableStream(sink));
                    }
                    if (r.fd() == 1) {
                        out = sink;
                    } else if (r.fd() == 2) {
                        err = sink;
                    } else {
                        throw new IOException(r.fd() + ": bad file descriptor");
                    }
                }
            }
        }
        return new Io(in, out, err);
    }

    private static int parseStatus(String s) {
        try {
            return Integer.parseInt(s.strip()) & 0xff;
        } catch (NumberFormatException e) {
            return 2;
        }
    }

    /** An output collected in memory (pipelines, substitutions), bounded so a device cannot exhaust the host. */
    private static final class Capture extends OutputStream {
        private final ByteArrayOutputStream target;

        Capture(ByteArrayOutputStream target) {
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (target.size() + len > MAX_CAPTURE) {
                throw new IOException("output of more than " + MAX_CAPTURE + " bytes in a pipe or substitution");
            }
            target.write(b, off, len);
        }
    }

    /** A stream a redirection opened, closed when its command ends. */
    private record AutoCloseableStream(java.io.Closeable stream) {
        void closeQuietly() {
            try {
                stream.close();
            } catch (IOException e) {
                // the command is over; nothing more goes through it
            }
        }
    }

    /** {@code $((...))}: integers, variables, {@code + - * / % ( ) < <= > >= == != && || !} and unary minus. */
    private static final class ArithmeticParser {
        private final String s;
        private final Map<String, String> variables;
        private int at;

        ArithmeticParser(String s, Map<String, String> variables) {
            this.s = s;
            this.variables = variables;
        }

        long evaluate() {
            long v = or();
            skip();
            if (at < s.length()) {
                throw new IllegalArgumentException("unexpected '" + s.substring(at) + "'");
            }
            return v;
        }

        private long or() {
            long v = and();
            while (eat("||")) {
                long r = and();
                v = (v != 0 || r != 0) ? 1 : 0;
            }
            return v;
        }

        private long and() {
            long v = comparison();
            while (eat("&&")) {
                long r = comparison();
                v = (v != 0 && r != 0) ? 1 : 0;
            }
            return v;
        }

        private long comparison() {
            long v = sum();
            while (true) {
                if (eat("==")) {
                    v = v == sum() ? 1 : 0;
                } else if (eat("!=")) {
                    v = v != sum() ? 1 : 0;
                } else if (eat("<=")) {
                    v = v <= sum() ? 1 : 0;
                } else if (eat(">=")) {
                    v = v >= sum() ? 1 : 0;
                } else if (eat("<")) {
                    v = v < sum() ? 1 : 0;
                } else if (eat(">")) {
                    v = v > sum() ? 1 : 0;
                } else {
                    return v;
                }
            }
        }

        private long sum() {
            long v = product();
            while (true) {
                if (eat("+")) {
                    v += product();
                } else if (eat("-")) {
                    v -= product();
                } else {
                    return v;
                }
            }
        }

        private long product() {
            long v = unary();
            while (true) {
                if (eat("*")) {
                    v *= unary();
                } else if (eat("/")) {
                    v /= nonZero(unary());
                } else if (eat("%")) {
                    v %= nonZero(unary());
                } else {
                    return v;
                }
            }
        }

        private static long nonZero(long v) {
            if (v == 0) {
                throw new ArithmeticException("division by zero");
            }
            return v;
        }

        private long unary() {
            if (eat("-")) {
                return -unary();
            }
            if (eat("+")) {
                return unary();
            }
            if (eat("!")) {
                return unary() == 0 ? 1 : 0;
            }
            if (eat("(")) {
                long v = or();
                if (!eat(")")) {
                    throw new IllegalArgumentException("missing )");
                }
                return v;
            }
            skip();
            int start = at;
            while (at < s.length() && (Character.isLetterOrDigit(s.charAt(at)) || s.charAt(at) == '_')) {
                at++;
            }
            String token = s.substring(start, at);
            if (token.isEmpty()) {
                throw new IllegalArgumentException(at < s.length() ? "unexpected '" + s.charAt(at) + "'"
                        : "missing operand");
            }
            if (Character.isDigit(token.charAt(0))) {
                return Long.parseLong(token);
            }
            String value = variables.getOrDefault(token, "").strip();
            return value.isEmpty() ? 0 : new ArithmeticParser(value, variables).evaluate();
        }

        private boolean eat(String op) {
            skip();
            if (s.startsWith(op, at)) {
                at += op.length();
                return true;
            }
            return false;
        }

        private void skip() {
            while (at < s.length() && Character.isWhitespace(s.charAt(at))) {
                at++;
            }
        }
    }
}

package dev.fastvlm.emulator.shell;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The file commands of the restricted shell, each over device paths resolved by {@link
 * ShellInterpreter#host}: what the project's device scripts use ({@code mkdir rm mv cat stat
 * sha256sum df date grep find sleep getprop}...) and what a user at an {@code adb shell} prompt
 * expects ({@code ls id pwd uname head tail wc}...). {@code ln} refuses: the device makes no links.
 */
final class DeviceCommands {
    static final Set<String> NAMES = Set.of("echo", "printf", "cat", "ls", "mkdir", "rmdir", "rm", "mv", "cp", "chmod",
            "touch", "ln", "stat", "sha256sum", "sha1sum", "md5sum", "df", "date", "grep", "find", "sleep", "getprop",
            "id", "pwd", "uname", "basename", "dirname", "head", "tail", "wc", "test", "[");
    private static final DateTimeFormatter LS_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm", Locale.ROOT);

    private final ShellInterpreter shell;

    DeviceCommands(ShellInterpreter shell) {
        this.shell = shell;
    }

    int run(String name, List<String> args, ShellInterpreter.Io io) throws IOException {
        PrintStream out = new PrintStream(io.out(), false, StandardCharsets.UTF_8);
        PrintStream err = io.errors();
        try {
            return switch (name) {
                case "echo" -> echo(args, out);
                case "printf" -> printf(args, out);
                case "cat" -> cat(args, io, err);
                case "ls" -> ls(args, out, err);
                case "mkdir" -> mkdir(args, err);
                case "rmdir" -> each(args, err, "rmdir", p -> Files.delete(write(p)));
                case "rm" -> rm(args, err);
                case "mv" -> mv(args, err);
                case "cp" -> cp(args, err);
                case "chmod" -> chmod(args, err);
                case "touch" -> each(args, err, "touch", this::touch);
                case "ln" -> {
                    err.println("ln: links cannot be made on this device (restricted shell)");
                    yield 1;
                }
                case "stat" -> stat(args, out, err);
                case "sha256sum" -> digest("SHA-256", args, io, out, err);
                case "sha1sum" -> digest("SHA-1", args, io, out, err);
                case "md5sum" -> digest("MD5", args, io, out, err);
                case "df" -> df(out);
                case "date" -> date(args, out);
                case "grep" -> grep(args, io, out, err);
                case "find" -> new Find(args, io, out, err).run();
                case "sleep" -> sleep(args, err);
                case "getprop" -> getprop(args, out);
                case "id" -> {
                    out.println("uid=2000(shell) gid=2000(shell) groups=2000(shell)");
                    yield 0;
                }
                case "pwd" -> {
                    out.println(shell.cwd);
                    yield 0;
                }
                case "uname" -> {
                    out.println(args.contains("-a") ? "Linux localhost 6.6.0-fastvlm-emulated #1 SMP PREEMPT aarch64"
                            : args.contains("-m") ? "aarch64" : "Linux");
                    yield 0;
                }
                case "basename" -> basename(args, out);
                case "dirname" -> {
                    String p = args.isEmpty() ? "." : args.get(0);
                    int slash = p.replaceAll("/+$", "").lastIndexOf('/');
                    out.println(slash < 0 ? "." : slash == 0 ? "/" : p.substring(0, slash));
                    yield 0;
                }
                case "head", "tail" -> headTail(name.equals("head"), args, io, out, err);
                case "wc" -> wc(args, io, out, err);
                default -> test(name.equals("[") ? withoutBracket(args, err) : args, err);
            };
        } finally {
            out.flush();
        }
    }

    private Path read(String path) throws IOException {
        return shell.host(shell.normalize(path), false);
    }

    private Path write(String path) throws IOException {
        return shell.host(shell.normalize(path), true);
    }

    private interface PathAction {
        void apply(String path) throws IOException;
    }

    private static int each(List<String> args, PrintStream err, String name, PathAction action) {
        int status = 0;
        for (String a : args) {
            try {
                action.apply(a);
            } catch (IOException e) {
                err.println(name + ": " + a + ": " + message(e));
                status = 1;
            }
        }
        return status;
    }

    private static String message(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "File exists";
        }
        if (e instanceof java.nio.file.DirectoryNotEmptyException) {
            return "Directory not empty";
        }
        return e.getMessage();
    }

    private static int echo(List<String> args, PrintStream out) {
        boolean newline = true;
        List<String> words = args;
        if (!words.isEmpty() && words.get(0).equals("-n")) {
            newline = false;
            words = words.subList(1, words.size());
        }
        out.print(String.join(" ", words));
        if (newline) {
            out.print('\n');
        }
        return 0;
    }

    private static int printf(List<String> args, PrintStream out) {
        if (args.isEmpty()) {
            return 1;
        }
        String format = args.get(0);
        List<String> values = args.subList(1, args.size());
        int next = 0;
        do {
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < format.length(); i++) {
                char c = format.charAt(i);
                if (c == '\\' && i + 1 < format.length()) {
                    char e = format.charAt(++i);
                    s.append(switch (e) {
                        case 'n' -> '\n';
                        case 't' -> '\t';
                        default -> e;
                    });
                } else if (c == '%' && i + 1 < format.length()) {
                    char f = format.charAt(++i);
                    if (f == '%') {
                        s.append('%');
                    } else {
                        String v = next < values.size() ? values.get(next++) : "";
                        s.append(f == 'd' || f == 'i' ? Long.toString(v.isEmpty() ? 0 : Long.parseLong(v.strip())) : v);
                    }
                } else {
                    s.append(c);
                }
            }
            out.print(s);
        } while (next > 0 && next < values.size());
        return 0;
    }

    private int cat(List<String> args, ShellInterpreter.Io io, PrintStream err) throws IOException {
        int status = 0;
        for (String a : args.isEmpty() ? List.of("-") : args) {
            if (a.equals("-")) {
                io.in().transferTo(io.out());
                continue;
            }
            try {
                Path p = read(a);
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    err.println("cat: " + a + ": Is a directory");
                    status = 1;
                    continue;
                }
                try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
                    in.transferTo(io.out());
                }
            } catch (IOException e) {
                if (e instanceof java.io.InterruptedIOException) {
                    throw e;
                }
                err.println("cat: " + a + ": " + message(e));
                status = 1;
            }
        }
        io.out().flush();
        return status;
    }

    private int ls(List<String> args, PrintStream out, PrintStream err) throws IOException {
        boolean all = false;
        boolean longFormat = false;
        boolean directoryItself = false;
        List<String> paths = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") && a.length() > 1) {
                all |= a.contains("a");
                longFormat |= a.contains("l");
                directoryItself |= a.contains("d");
            } else {
                paths.add(a);
            }
        }
        if (paths.isEmpty()) {
            paths.add(".");
        }
        int status = 0;
        for (String a : paths) {
            Path p;
            try {
                p = read(a);
            } catch (IOException e) {
                err.println("ls: " + a + ": " + message(e));
                status = 1;
                continue;
            }
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                err.println("ls: " + a + ": No such file or directory");
                status = 1;
                continue;
            }
            if (paths.size() > 1 && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !directoryItself) {
                out.println(a + ":");
            }
            if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) || directoryItself) {
                out.println(longFormat ? longLine(p, a) : a);
                continue;
            }
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                for (Path entry : entries) {
                    String n = entry.getFileName().toString();
                    if (all || !n.startsWith(".")) {
                        names.add(n);
                    }
                }
            }
            names.sort(null);
            for (String n : names) {
                out.println(longFormat ? longLine(p.resolve(n), n) : n);
            }
        }
        return status;
    }

    private static String longLine(Path p, String shown) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
        int mode = ((Number) a.get("mode")).intValue();
        char type = (mode & 0170000) == 0040000 ? 'd' : (mode & 0170000) == 0120000 ? 'l' : '-';
        String perms = PosixFilePermissions.toString(permissions(mode & 0777));
        FileTime mtime = (FileTime) a.get("lastModifiedTime");
        return String.format(Locale.ROOT, "%c%s %d shell shell %d %s %s", type, perms, ((Number) a.get("nlink")).intValue(),
                ((Number) a.get("size")).longValue(), LS_TIME.format(mtime.toInstant().atZone(ZoneOffset.UTC)), shown);
    }

    private int mkdir(List<String> args, PrintStream err) {
        boolean parents = args.contains("-p");
        return each(args.stream().filter(a -> !a.equals("-p")).toList(), err, "mkdir", a -> {
            if (!parents) {
                Files.createDirectory(write(a));
                return;
            }
            String device = shell.normalize(a);
            StringBuilder prefix = new StringBuilder();
            for (String part : device.substring(1).split("/")) {
                prefix.append('/').append(part);
                Path p = shell.host(prefix.toString(), prefix.toString().split("/").length > 2);
                if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectory(shell.host(prefix.toString(), true));
                }
            }
        });
    }

    private int rm(List<String> args, PrintStream err) {
        boolean recursive = false;
        boolean force = false;
        List<String> paths = new ArrayList<>();
        for (String a : args) {
            if (a.startsWith("-") && a.length() > 1 && paths.isEmpty()) {
                recursive |= a.contains("r") || a.contains("R");
                force |= a.contains("f");
            } else {
                paths.add(a);
            }
        }
        boolean r = recursive;
        boolean f = force;
        int status = each(paths, err, "rm", a -> {
            Path p = write(a);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!f) {
                    throw new NoSuchFileException(a);
                }
                return;
            }
            if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                if (!r) {
                    throw new IOException("Is a directory");
                }
                deleteTree(p);
            } else {
                Files.delete(p);
            }
        });
        return force && paths.isEmpty() ? 0 : status;
    }

    private static void deleteTree(Path p) throws IOException {
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private int mv(List<String> args, PrintStream err) throws IOException {
        return sourcesToTarget("mv", args.stream().filter(a -> !a.equals("-f")).toList(), err, (a, destination) -> {
            Path source = write(a);
            Files.move(source, destination.apply(source), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        });
    }

    private int cp(List<String> args, PrintStream err) throws IOException {
        return sourcesToTarget("cp", args.stream().filter(a -> !a.startsWith("-")).toList(), err, (a, destination) -> {
            Path source = read(a);
            if (!Files.isRegularFile(source, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException("not a regular file");
            }
            Path to = destination.apply(source);
            if (Files.isSymbolicLink(to)) {
                Files.delete(to);
            }
            try (InputStream in = Files.newInputStream(source, LinkOption.NOFOLLOW_LINKS);
                 OutputStream o = Files.newOutputStream(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                         StandardOpenOption.TRUNCATE_EXISTING, LinkOption.NOFOLLOW_LINKS)) {
                in.transferTo(o);
            }
        });
    }

    /** What {@code mv} or {@code cp} does to one source operand, given where a source path goes. */
    private interface SourceAction {
        void apply(String operand, UnaryOperator<Path> destination) throws IOException;
    }

    /**
     * {@code mv}'s and {@code cp}'s operands: the last is the target, and every other goes there,
     * under its own name when the target is a directory.
     */
    private int sourcesToTarget(String command, List<String> operands, PrintStream err, SourceAction action)
            throws IOException {
        if (operands.size() < 2) {
            err.println(command + ": missing operand");
            return 1;
        }
        Path target = write(operands.get(operands.size() - 1));
        boolean intoDirectory = Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS);
        UnaryOperator<Path> destination = source -> intoDirectory ? target.resolve(source.getFileName()) : target;
        return each(operands.subList(0, operands.size() - 1), err, command, a -> action.apply(a, destination));
    }

    private int chmod(List<String> args, PrintStream err) {
        if (args.size() < 2) {
            err.println("chmod: missing operand");
            return 1;
        }
        String spec = args.get(0);
        return each(args.subList(1, args.size()), err, "chmod", a -> {
            Path p = write(a);
            PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class,
                    LinkOption.NOFOLLOW_LINKS);
            int mode = 0;
            for (PosixFilePermission perm : view.readAttributes().permissions()) {
                mode |= 1 << (8 - perm.ordinal());
            }
            view.setPermissions(permissions(applyMode(spec, mode)));
        });
    }

    private static int applyMode(String spec, int mode) throws IOException {
        if (spec.matches("[0-7]{1,4}")) {
            return Integer.parseInt(spec, 8) & 0777;
        }
        for (String clause : spec.split(",")) {
            java.util.regex.Matcher m = Pattern.compile("([ugoa]*)([+\\-=])([rwxX]*)").matcher(clause);
            if (!m.matches()) {
                throw new IOException("invalid mode: " + spec);
            }
            String who = m.group(1).isEmpty() || m.group(1).contains("a") ? "ugo" : m.group(1);
            int bits = 0;
            for (char c : m.group(3).toCharArray()) {
                bits |= c == 'r' ? 4 : c == 'w' ? 2 : 1;
            }
            int mask = 0;
            for (char c : who.toCharArray()) {
                int shift = c == 'u' ? 6 : c == 'g' ? 3 : 0;
                mask |= bits << shift;
                if (m.group(2).equals("=")) {
                    mode &= ~(7 << shift);
                }
            }
            mode = m.group(2).equals("-") ? mode & ~mask : mode | mask;
        }
        return mode;
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }

    private void touch(String a) throws IOException {
        Path p = write(a);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            Files.getFileAttributeView(p, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(Instant.now()), null, null);
        } else {
            Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
        }
    }

    private int stat(List<String> args, PrintStream out, PrintStream err) {
        String format = null;
        List<String> paths = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            if (args.get(i).equals("-c") && i + 1 < args.size()) {
                format = args.get(++i);
            } else if (args.get(i).startsWith("--format=")) {
                format = args.get(i).substring("--format=".length());
            } else {
                paths.add(args.get(i));
            }
        }
        String f = format == null ? "  File: %n\n  Size: %s\tBlocks: %b\t%F\nAccess: (%a/%A)  Uid: ( 2000/   shell)"
                + "   Gid: ( 2000/   shell)\nModify: %y" : format;
        return each(paths, err, "stat", a -> {
            Map<String, Object> at = Files.readAttributes(read(a), "unix:*", LinkOption.NOFOLLOW_LINKS);
            int mode = ((Number) at.get("mode")).intValue();
            long size = ((Number) at.get("size")).longValue();
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < f.length(); i++) {
                char c = f.charAt(i);
                if (c != '%' || i + 1 >= f.length()) {
                    s.append(c);
                    continue;
                }
                char k = f.charAt(++i);
                s.append(switch (k) {
                    case 's' -> Long.toString(size);
                    case 'Y' -> Long.toString(((FileTime) at.get("lastModifiedTime")).toMillis() / 1000);
                    case 'X' -> Long.toString(((FileTime) at.get("lastAccessTime")).toMillis() / 1000);
                    case 'Z' -> Long.toString(((FileTime) at.get("ctime")).toMillis() / 1000);
                    case 'y' -> ((FileTime) at.get("lastModifiedTime")).toInstant().toString();
                    case 'n' -> a;
                    case 'a' -> Integer.toOctalString(mode & 07777);
                    case 'A' -> ((mode & 0170000) == 0040000 ? "d" : "-") + PosixFilePermissions.toString(permissions(mode));
                    case 'F' -> (mode & 0170000) == 0040000 ? "directory" : (mode & 0170000) == 0120000 ? "symbolic link"
                            : size == 0 ? "regular empty file" : "regular file";
                    case 'b' -> Long.toString((size + 511) / 512);
                    case 'h' -> at.get("nlink").toString();
                    case 'i' -> at.get("ino").toString();
                    case 'u', 'g' -> "2000";
                    case 'U', 'G' -> "shell";
                    case '%' -> "%";
                    default -> "%" + k;
                });
            }
            out.println(s);
        });
    }

    private int digest(String algorithm, List<String> args, ShellInterpreter.Io io, PrintStream out, PrintStream err)
            throws IOException {
        int status = 0;
        for (String a : args.isEmpty() ? List.of("-") : args) {
            MessageDigest digest;
            try {
                digest = MessageDigest.getInstance(algorithm);
            } catch (NoSuchAlgorithmException e) {
                throw new IOException(e);
            }
            try (InputStream in = a.equals("-") ? InputStream.nullInputStream()
                    : Files.newInputStream(read(a), LinkOption.NOFOLLOW_LINKS)) {
                InputStream source = a.equals("-") ? io.in() : in;
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = source.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                }
                out.println(HexFormat.of().formatHex(digest.digest()) + "  " + a);
            } catch (IOException e) {
                err.println(algorithm.toLowerCase(Locale.ROOT).replace("-", "") + "sum: " + a + ": " + message(e));
                status = 1;
            }
        }
        return status;
    }

    private int df(PrintStream out) throws IOException {
        FileStore store = Files.getFileStore(shell.shell.root());
        long total = store.getTotalSpace() / 1024;
        long available = store.getUsableSpace() / 1024;
        long used = Math.max(0, total - store.getUnallocatedSpace() / 1024);
        out.println("Filesystem     1K-blocks      Used Available Use% Mounted on");
        out.printf(Locale.ROOT, "/dev/block/dm-48 %d %d %d %d%% /data%n", total, used, available,
                total == 0 ? 0 : (used * 100 + total - 1) / total);
        return 0;
    }

    private static int date(List<String> args, PrintStream out) {
        ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
        String format = args.stream().filter(a -> a.startsWith("+")).findFirst().map(a -> a.substring(1))
                .orElse("%a %b %e %H:%M:%S %Z %Y");
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                s.append(c);
                continue;
            }
            char k = format.charAt(++i);
            s.append(switch (k) {
                case 's' -> Long.toString(now.toEpochSecond());
                case 'Y' -> String.format(Locale.ROOT, "%04d", now.getYear());
                case 'm' -> String.format(Locale.ROOT, "%02d", now.getMonthValue());
                case 'd' -> String.format(Locale.ROOT, "%02d", now.getDayOfMonth());
                case 'e' -> String.format(Locale.ROOT, "%2d", now.getDayOfMonth());
                case 'H' -> String.format(Locale.ROOT, "%02d", now.getHour());
                case 'M' -> String.format(Locale.ROOT, "%02d", now.getMinute());
                case 'S' -> String.format(Locale.ROOT, "%02d", now.getSecond());
                case 'N' -> String.format(Locale.ROOT, "%09d", now.getNano());
                case 'Z' -> "UTC";
                case 'a' -> DateTimeFormatter.ofPattern("EEE", Locale.ROOT).format(now);
                case 'b' -> DateTimeFormatter.ofPattern("MMM", Locale.ROOT).format(now);
                case 'T' -> DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).format(now);
                case 'F' -> DateTimeFormatter.ISO_LOCAL_DATE.format(now);
                case '%' -> "%";
                default -> "%" + k;
            });
        }
        out.println(s);
        return 0;
    }

    private int grep(List<String> args, ShellInterpreter.Io io, PrintStream out, PrintStream err) throws IOException {
        boolean quiet = false;
        boolean invert = false;
        boolean extended = false;
        boolean fixed = false;
        boolean ignoreCase = false;
        boolean count = false;
        String pattern = null;
        List<String> files = new ArrayList<>();
        for (String a : args) {
            if (pattern == null && a.startsWith("-") && a.length() > 1) {
                quiet |= a.contains("q") || a.contains("s");
                invert |= a.contains("v");
                extended |= a.contains("E");
                fixed |= a.contains("F");
                ignoreCase |= a.contains("i");
                count |= a.contains("c");
            } else if (pattern == null) {
                pattern = a;
            } else {
                files.add(a);
            }
        }
        if (pattern == null) {
            err.println("grep: no pattern");
            return 2;
        }
        Pattern regex = Pattern.compile(fixed ? Pattern.quote(pattern) : extended ? pattern : basicToJava(pattern),
                ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        int matches = 0;
        int status = 0;
        for (String f : files.isEmpty() ? List.of("-") : files) {
            byte[] content;
            try {
                content = f.equals("-") ? io.in().readAllBytes()
                        : Files.readAllBytes(read(f));
            } catch (IOException e) {
                if (!quiet) {
                    err.println("grep: " + f + ": " + message(e));
                }
                status = 2;
                continue;
            }
            for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
                if (regex.matcher(line).find() != invert) {
                    matches++;
                    if (!quiet && !count) {
                        out.println(files.size() > 1 ? f + ":" + line : line);
                    }
                }
            }
        }
        if (count && !quiet) {
            out.println(matches);
        }
        return matches > 0 ? 0 : status == 0 ? 1 : status;
    }

    /** A POSIX basic regular expression as a Java one: {@code \( \) \{ \} \|} are the groups, the bare ones literal. */
    private static String basicToJava(String basic) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < basic.length(); i++) {
            char c = basic.charAt(i);
            if (c == '\\' && i + 1 < basic.length()) {
                char n = basic.charAt(++i);
                s.append("(){}|+?".indexOf(n) >= 0 ? String.valueOf(n) : "\\" + n);
            } else if ("(){}|+?".indexOf(c) >= 0) {
                s.append('\\').append(c);
            } else {
                s.append(c);
            }
        }
        return s.toString();
    }

    private int sleep(List<String> args, PrintStream err) {
        double seconds;
        try {
            seconds = args.isEmpty() ? 0 : Double.parseDouble(args.get(0));
        } catch (NumberFormatException e) {
            err.println("sleep: invalid number " + args.get(0));
            return 1;
        }
        try {
            Thread.sleep((long) (seconds * 1000));
        } catch (InterruptedException e) {
            // a kill ends the command line here; a trapped signal runs its trap and ends only the sleep
            shell.process.checkAlive(shell);
        }
        return 0;
    }

    private int getprop(List<String> args, PrintStream out) throws IOException {
        Map<String, String> properties = new java.util.LinkedHashMap<>();
        Path buildProp = shell.host("/system/build.prop", false);
        if (Files.isRegularFile(buildProp, LinkOption.NOFOLLOW_LINKS)) {
            for (String line : Files.readAllLines(buildProp, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    properties.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        }
        if (args.isEmpty()) {
            properties.forEach((k, v) -> out.println("[" + k + "]: [" + v + "]"));
        } else {
            out.println(properties.getOrDefault(args.get(0), args.size() > 1 ? args.get(1) : ""));
        }
        return 0;
    }

    private static int basename(List<String> args, PrintStream out) {
        String p = args.isEmpty() ? "" : args.get(0).replaceAll("/+$", "");
        String name = p.substring(p.lastIndexOf('/') + 1);
        if (args.size() > 1 && name.endsWith(args.get(1)) && !name.equals(args.get(1))) {
            name = name.substring(0, name.length() - args.get(1).length());
        }
        out.println(p.isEmpty() && !args.isEmpty() && args.get(0).startsWith("/") ? "/" : name);
        return 0;
    }

    private int headTail(boolean head, List<String> args, ShellInterpreter.Io io, PrintStream out, PrintStream err)
            throws IOException {
        int lines = 10;
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-n") && i + 1 < args.size()) {
                lines = Integer.parseInt(args.get(++i).replace("+", ""));
            } else if (a.matches("-\\d+")) {
                lines = Integer.parseInt(a.substring(1));
            } else {
                files.add(a);
            }
        }
        int status = 0;
        for (String f : files.isEmpty() ? List.of("-") : files) {
            try {
                byte[] content = f.equals("-") ? io.in().readAllBytes() : Files.readAllBytes(read(f));
                List<String> all = new String(content, StandardCharsets.UTF_8).lines().toList();
                List<String> chosen = head ? all.subList(0, Math.min(lines, all.size()))
                        : all.subList(Math.max(0, all.size() - lines), all.size());
                chosen.forEach(out::println);
            } catch (IOException e) {
                err.println((head ? "head: " : "tail: ") + f + ": " + message(e));
                status = 1;
            }
        }
        return status;
    }

    private int wc(List<String> args, ShellInterpreter.Io io, PrintStream out, PrintStream err) throws IOException {
        List<String> options = args.stream().filter(a -> a.startsWith("-")).toList();
        List<String> files = args.stream().filter(a -> !a.startsWith("-")).toList();
        int status = 0;
        for (String f : files.isEmpty() ? List.of("-") : files) {
            try {
                byte[] content = f.equals("-") ? io.in().readAllBytes() : Files.readAllBytes(read(f));
                String text = new String(content, StandardCharsets.UTF_8);
                long lines = text.chars().filter(c -> c == '\n').count();
                long words = text.isBlank() ? 0 : text.strip().split("\\s+").length;
                List<String> fields = new ArrayList<>();
                boolean all = options.isEmpty();
                if (all || options.stream().anyMatch(o -> o.contains("l"))) {
                    fields.add(Long.toString(lines));
                }
                if (all || options.stream().anyMatch(o -> o.contains("w"))) {
                    fields.add(Long.toString(words));
                }
                if (all || options.stream().anyMatch(o -> o.contains("c"))) {
                    fields.add(Integer.toString(content.length));
                }
                out.println(String.join(" ", fields) + (f.equals("-") ? "" : " " + f));
            } catch (IOException e) {
                err.println("wc: " + f + ": " + message(e));
                status = 1;
            }
        }
        return status;
    }

    private static List<String> withoutBracket(List<String> args, PrintStream err) {
        if (args.isEmpty() || !args.get(args.size() - 1).equals("]")) {
            err.println("[: missing ]");
            return List.of("-missing-bracket-");
        }
        return args.subList(0, args.size() - 1);
    }

    private int test(List<String> args, PrintStream err) {
        try {
            return new TestExpression(args).evaluate() ? 0 : 1;
        } catch (IllegalArgumentException | IOException e) {
            err.println("test: " + e.getMessage());
            return 2;
        }
    }

    /** The {@code test} expression language: file, string and integer tests with {@code ! -a -o}. */
    private final class TestExpression {
        private final List<String> args;
        private int at;

        TestExpression(List<String> args) {
            this.args = args;
        }

        boolean evaluate() throws IOException {
            if (args.isEmpty()) {
                return false;
            }
            boolean v = or();
            if (at != args.size()) {
                throw new IllegalArgumentException("unexpected " + args.get(at));
            }
            return v;
        }

        private boolean or() throws IOException {
            boolean v = and();
            while (at < args.size() && args.get(at).equals("-o")) {
                at++;
                v = and() || v;
            }
            return v;
        }

        private boolean and() throws IOException {
            boolean v = not();
            while (at < args.size() && args.get(at).equals("-a")) {
                at++;
                v = not() && v;
            }
            return v;
        }

        private boolean not() throws IOException {
            if (at < args.size() && args.get(at).equals("!") && args.size() - at > 1) {
                at++;
                return !not();
            }
            return primary();
        }

        private boolean primary() throws IOException {
            int left = args.size() - at;
            if (left >= 3 && isBinary(args.get(at + 1))) {
                String a = args.get(at);
                String op = args.get(at + 1);
                String b = args.get(at + 2);
                at += 3;
                return switch (op) {
                    case "=", "==" -> a.equals(b);
                    case "!=" -> !a.equals(b);
                    default -> {
                        long x = integer(a);
                        long y = integer(b);
                        yield switch (op) {
                            case "-eq" -> x == y;
                            case "-ne" -> x != y;
                            case "-lt" -> x < y;
                            case "-le" -> x <= y;
                            case "-gt" -> x > y;
                            default -> x >= y;
                        };
                    }
                };
            }
            if (left >= 2 && args.get(at).matches("-[efdsrwxzhLn]")) {
                String op = args.get(at);
                String operand = args.get(at + 1);
                at += 2;
                if (op.equals("-z")) {
                    return operand.isEmpty();
                }
                if (op.equals("-n")) {
                    return !operand.isEmpty();
                }
                Path p;
                try {
                    p = read(operand);
                } catch (IOException e) {
                    return false;
                }
                return switch (op) {
                    case "-e" -> Files.exists(p, LinkOption.NOFOLLOW_LINKS);
                    case "-f" -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                    case "-d" -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                    case "-s" -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) && Files.size(p) > 0;
                    case "-h", "-L" -> Files.isSymbolicLink(p);
                    case "-r" -> Files.isReadable(p);
                    case "-w" -> Files.isWritable(p);
                    default -> Files.isExecutable(p);
                };
            }
            if (left >= 1) {
                return !args.get(at++).isEmpty();
            }
            throw new IllegalArgumentException("argument expected");
        }

        private boolean isBinary(String op) {
            return Set.of("=", "==", "!=", "-eq", "-ne", "-lt", "-le", "-gt", "-ge").contains(op);
        }

        private long integer(String s) {
            try {
                return Long.parseLong(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(s + ": bad number");
            }
        }
    }

    /** {@code find PATH... [-maxdepth N] [-name P] [-type f|d|l] [! -o -a ( )] [-print] [-delete] [-exec CMD {} ;|+]}. */
    private final class Find {
        private final List<String> starts = new ArrayList<>();
        private final List<String> expression;
        private final ShellInterpreter.Io io;
        private final PrintStream out;
        private final PrintStream err;
        private int maxDepth = Integer.MAX_VALUE;
        private int at;
        private boolean acted;
        private final List<String> batch = new ArrayList<>();
        private List<String> batchCommand;
        private int status;

        Find(List<String> args, ShellInterpreter.Io io, PrintStream out, PrintStream err) {
            int i = 0;
            while (i < args.size() && !args.get(i).startsWith("-") && !args.get(i).equals("(")
                    && !args.get(i).equals("!")) {
                starts.add(args.get(i++));
            }
            List<String> rest = new ArrayList<>(args.subList(i, args.size()));
            for (int j = 0; j < rest.size() - 1; j++) {
                if (rest.get(j).equals("-maxdepth")) {
                    maxDepth = Integer.parseInt(rest.get(j + 1));
                    rest.remove(j);
                    rest.remove(j);
                    j--;
                }
            }
            this.expression = rest;
            this.io = io;
            this.out = out;
            this.err = err;
        }

        int run() throws IOException {
            for (String start : starts.isEmpty() ? List.of(".") : starts) {
                Path root = read(start);
                if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
                    err.println("find: " + start + ": No such file or directory");
                    status = 1;
                    continue;
                }
                visit(root, start, 0);
            }
            flushBatch();
            out.flush();
            return status;
        }

        private void visit(Path p, String shown, int depth) throws IOException {
            at = 0;
            acted = false;
            boolean matched = expression.isEmpty() || or(p, shown);
            if (matched && !acted) {
                out.println(shown);
            }
            if (depth < maxDepth && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                List<Path> children = new ArrayList<>();
                try (DirectoryStream<Path> entries = Files.newDirectoryStream(p)) {
                    entries.forEach(children::add);
                }
                children.sort(null);
                for (Path child : children) {
                    visit(child, shown.endsWith("/") ? shown + child.getFileName() : shown + "/" + child.getFileName(),
                            depth + 1);
                }
            }
        }

        private boolean or(Path p, String shown) throws IOException {
            boolean v = and(p, shown);
            while (at < expression.size() && expression.get(at).equals("-o")) {
                at++;
                boolean skip = v;
                boolean r = skip ? skipAnd() : and(p, shown);
                v = v || r;
            }
            return v;
        }

        private boolean skipAnd() throws IOException {
            int depth = 0;
            while (at < expression.size()) {
                String t = expression.get(at);
                if (depth == 0 && (t.equals("-o") || t.equals(")"))) {
                    break;
                }
                depth += t.equals("(") ? 1 : t.equals(")") ? -1 : 0;
                at++;
                if (t.equals("-name") || t.equals("-type") || t.equals("-iname")) {
                    at++;
                } else if (t.equals("-exec")) {
                    while (at < expression.size() && !expression.get(at).equals(";") && !expression.get(at).equals("+")) {
                        at++;
                    }
                    at++;
                }
            }
            return false;
        }

        private boolean and(Path p, String shown) throws IOException {
            boolean v = not(p, shown);
            while (at < expression.size() && !expression.get(at).equals("-o") && !expression.get(at).equals(")")) {
                if (expression.get(at).equals("-a")) {
                    at++;
                }
                if (!v) {
                    skipPrimary();
                } else {
                    v = not(p, shown);
                }
            }
            return v;
        }

        private void skipPrimary() throws IOException {
            String t = expression.get(at);
            if (t.equals("!")) {
                at++;
                skipPrimary();
            } else if (t.equals("(")) {
                int depth = 0;
                do {
                    String s = expression.get(at++);
                    depth += s.equals("(") ? 1 : s.equals(")") ? -1 : 0;
                } while (depth > 0 && at < expression.size());
            } else {
                at++;
                if (t.equals("-name") || t.equals("-type") || t.equals("-iname")) {
                    at++;
                } else if (t.equals("-exec")) {
                    while (at < expression.size() && !expression.get(at).equals(";") && !expression.get(at).equals("+")) {
                        at++;
                    }
                    at++;
                }
            }
        }

        private boolean not(Path p, String shown) throws IOException {
            if (expression.get(at).equals("!")) {
                at++;
                return !not(p, shown);
            }
            return primary(p, shown);
        }

        private boolean primary(Path p, String shown) throws IOException {
            String t = expression.get(at++);
            switch (t) {
                case "(" -> {
                    boolean v = or(p, shown);
                    if (at >= expression.size() || !expression.get(at).equals(")")) {
                        throw new IOException("missing )");
                    }
                    at++;
                    return v;
                }
                case "-name", "-iname" -> {
                    String glob = argument(t);
                    StringBuilder regex = new StringBuilder();
                    for (char c : glob.toCharArray()) {
                        regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
                    }
                    return Pattern.compile(regex.toString(), t.equals("-iname") ? Pattern.CASE_INSENSITIVE : 0)
                            .matcher(p.getFileName() == null ? "" : p.getFileName().toString()).matches();
                }
                case "-type" -> {
                    String type = argument(t);
                    return switch (type) {
                        case "f" -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
                        case "d" -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
                        case "l" -> Files.isSymbolicLink(p);
                        default -> throw new IOException("unknown type " + type);
                    };
                }
                case "-print" -> {
                    acted = true;
                    out.println(shown);
                    return true;
                }
                case "-delete" -> {
                    acted = true;
                    shell.host(shell.normalize(shown), true);
                    Files.deleteIfExists(p);
                    return true;
                }
                case "-exec" -> {
                    acted = true;
                    List<String> command = new ArrayList<>();
                    while (at < expression.size() && !expression.get(at).equals(";") && !expression.get(at).equals("+")) {
                        command.add(expression.get(at++));
                    }
                    if (at >= expression.size()) {
                        throw new IOException("-exec without ; or +");
                    }
                    boolean plus = expression.get(at++).equals("+");
                    if (plus) {
                        batchCommand = command;
                        batch.add(shown);
                        return true;
                    }
                    List<String> argv = command.stream().map(a -> a.replace("{}", shown)).toList();
                    return shell.execute(new ArrayList<>(argv), Map.of(), io) == 0;
                }
                default -> throw new IOException("unknown predicate " + t);
            }
        }

        private String argument(String predicate) throws IOException {
            if (at >= expression.size()) {
                throw new IOException(predicate + " needs an argument");
            }
            return expression.get(at++);
        }

        private void flushBatch() {
            if (batchCommand == null || batch.isEmpty()) {
                return;
            }
            List<String> argv = new ArrayList<>();
            for (String a : batchCommand) {
                if (a.equals("{}")) {
                    argv.addAll(batch);
                } else {
                    argv.add(a);
                }
            }
            if (shell.execute(argv, Map.of(), io) != 0) {
                status = 1;
            }
        }
    }
}

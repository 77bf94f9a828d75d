package dev.fastvlm.cli;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * {@code examples/fastvlm}, the launcher with class data sharing, run on a small jar of its own
 * ({@link Main} prints its JVM's options, loads a class of Java 5's class-file version as picocli's
 * are, and exits with the code it is given): the first run of a subcommand records an archive that
 * later runs map, old classes included, nothing else stays in the cache folder, the exit code
 * passes through, a dump that fails is not tried on every run, and one-shot subcommands get the
 * one-shot JIT settings while the long-running ones keep the JVM's defaults.
 */
class LauncherTest {

    private static final Path LAUNCHER = Path.of("fastvlm").toAbsolutePath();

    @TempDir
    Path dir;
    private Path jar;

    /** The class of Java 5's class-file version (49) in the jar, compiled here and its version set back. */
    private static final String OLD_CLASS = "OldClassFile";
    private static final int JAVA_5 = 49;

    /**
     * The launched program: its JVM's options on the first line, then its arguments; loads
     * {@link #OLD_CLASS} and exits with args[1].
     */
    public static final class Main {
        public static void main(String[] args) throws ClassNotFoundException {
            System.out.println(ManagementFactory.getRuntimeMXBean().getInputArguments());
            System.out.println(String.join(" ", args));
            Class.forName(OLD_CLASS);
            System.exit(args.length > 1 ? Integer.parseInt(args[1]) : 0);
        }
    }

    private record Run(int status, List<String> jvmOptions, String output) {
    }

    @BeforeEach
    void jarOfMain() throws IOException {
        assumeThat(System.getProperty("os.name")).as("a bash launcher").doesNotStartWith("Windows");
        assertThat(LAUNCHER).exists();
        jar = dir.resolve("main.jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, Main.class.getName());
        String entry = Main.class.getName().replace('.', '/') + ".class";
        try (OutputStream file = Files.newOutputStream(jar);
             JarOutputStream out = new JarOutputStream(file, manifest);
             InputStream in = Main.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
            out.putNextEntry(new JarEntry(OLD_CLASS + ".class"));
            out.write(oldClassFile());
            out.closeEntry();
        }
    }

    /** A class without branches or invokedynamic, so that the class file is valid with Java 5's version. */
    private byte[] oldClassFile() throws IOException {
        Path source = Files.writeString(dir.resolve(OLD_CLASS + ".java"),
                "public class " + OLD_CLASS + " { public static String name() { return \"old\"; } }");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertThat(javac.run(null, null, null, "-d", dir.toString(), source.toString())).isZero();
        byte[] bytes = Files.readAllBytes(dir.resolve(OLD_CLASS + ".class"));
        // the major version, bytes 6 and 7 after the magic number and the minor version
        bytes[6] = 0;
        bytes[7] = (byte) JAVA_5;
        return bytes;
    }

    private Run launch(String javaOptions, String... args) throws IOException, InterruptedException {
        return launch(Map.of(), javaOptions, args);
    }

    private Run launch(Map<String, String> extraEnvironment, String javaOptions, String... args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", LAUNCHER.toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = builder.environment();
        env.put("FASTVLM_JAR", jar.toString());
        env.put("XDG_CACHE_HOME", dir.resolve("cache-home").toString());
        env.put("FASTVLM_JAVA_OPTS", javaOptions);
        env.remove("JAVA_OPTS");
        env.putAll(extraEnvironment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
        String[] lines = output.split("\n");
        List<String> options = List.of(lines[0].replaceAll("^\\[|]$", "").split(", "));
        return new Run(process.exitValue(), options, output);
    }

    private List<String> cacheFiles() throws IOException {
        Path cds = dir.resolve("cache-home").resolve("fastvlm").resolve("cds");
        if (Files.notExists(cds)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cds)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void theFirstRunRecordsTheArchiveThatLaterRunsMap() throws Exception {
        Run first = launch("", "describe", "3");
        assertThat(first.status()).as(first.output()).isEqualTo(3);
        assertThat(first.output()).contains("describe 3");
        assertThat(cacheFiles()).as("one archive, no class list or temporary file left")
                .singleElement().asString().startsWith("fastvlm-").endsWith("-describe.jsa");

        Path classes = dir.resolve("classes.log");
        Run second = launch("-Xlog:class+load:file=" + classes, "describe", "0");
        assertThat(second.status()).as(second.output()).isZero();
        for (String name : List.of(Main.class.getName(), OLD_CLASS)) {
            assertThat(Files.readAllLines(classes)).as(name).filteredOn(line -> line.contains(" " + name + " "))
                    .singleElement().asString().contains("shared objects file");
        }
        assertThat(cacheFiles()).hasSize(1);
    }

    @Test
    void aDumpThatFailsIsNotTriedAgainAndTheCommandStillRuns() throws Exception {
        // a java first on the PATH that refuses to dump an archive and runs everything else
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path dumps = dir.resolve("dumps.log");
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/usr/bin/env bash\n"
                + "for arg in \"$@\"; do\n"
                + "  if [ \"$arg\" = -Xshare:dump ]; then echo dump >>'" + dumps + "'; exit 1; fi\n"
                + "done\n"
                + "exec '" + Path.of(System.getProperty("java.home"), "bin", "java") + "' \"$@\"\n");
        assertThat(java.toFile().setExecutable(true)).isTrue();
        Map<String, String> path = Map.of("PATH", bin + ":" + System.getenv("PATH"));

        Run first = launch(path, "", "describe", "4");
        assertThat(first.status()).as(first.output()).isEqualTo(4);
        assertThat(cacheFiles()).singleElement().asString().endsWith("-describe.jsa.failed");
        Run second = launch(path, "", "describe", "0");
        assertThat(second.status()).as(second.output()).isZero();
        assertThat(second.jvmOptions()).as("no class list recorded again")
                .noneMatch(option -> option.startsWith("-XX:DumpLoadedClassList"));
        assertThat(Files.readAllLines(dumps)).as("one dump tried").hasSize(1);
        assertThat(cacheFiles()).singleElement().asString().endsWith(".failed");
    }

    @Test
    void oneShotCommandsRunWithC1AndTheSerialCollectorAndTheServerWithTheDefaults() throws Exception {
        List<String> describe = launch("", "describe").jvmOptions();
        assertThat(describe).contains("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");
        int cores = Integer.parseInt(new String(new ProcessBuilder("getconf", "_NPROCESSORS_ONLN").start()
                .getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        if (cores <= 2) {
            assertThat(describe).contains("-XX:CICompilerCount=1");
        } else {
            assertThat(describe).noneMatch(option -> option.startsWith("-XX:CICompilerCount"));
        }
        for (String longRunning : List.of("serve", "emulator")) {
            assertThat(launch("", longRunning).jvmOptions()).as(longRunning)
                    .noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel") || option.contains("SerialGC")
                            || option.startsWith("-XX:CICompilerCount"));
        }
    }
}

package dev.fastvlm.emulator;

import dev.fastvlm.emulator.model.EmulatedBundle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The emulated tools' class path comes from where the emulator was loaded, so it is right when
 * {@code java.class.path} names something else (Maven's launcher under {@code mvn exec:java}).
 */
class ToolClasspathTest {

    /** Loads every class through this test's loader, but is neither a URLClassLoader nor the application loader. */
    private static final ClassLoader ELSEWHERE = new ClassLoader(ClassLoader.getPlatformClassLoader()) {
        @Override
        protected Class<?> findClass(String name) throws ClassNotFoundException {
            return Class.forName(name, false, ToolClasspathTest.class.getClassLoader());
        }
    };

    @Test
    void aLauncherClassPathIsIgnoredWhenTheEmulatorCameFromAnotherLoader() {
        Set<String> entries = ToolClasspath.entries(ELSEWHERE, "/nowhere/plexus-classworlds.jar");

        assertThat(entries).doesNotContain("/nowhere/plexus-classworlds.jar").allSatisfy(entry -> {
            assertThat(Path.of(entry)).isAbsolute().exists();
        });
    }

    @Test
    void theFoundEntriesAloneLoadTheToolsAndTheirTokenizer(@TempDir Path dir) throws Exception {
        Path bundle = EmulatedBundle.write(dir.resolve("bundle"), 28, EmulatedBundle.VisionPrecision.INT8);
        Path probe = dir.resolve("Probe.java");
        Files.writeString(probe, """
                public class Probe {
                    public static void main(String[] args) throws Exception {
                        Class.forName("dev.fastvlm.emulator.tools.EmulatedTools");
                        try (var tokenizer = ai.djl.huggingface.tokenizers.HuggingFaceTokenizer.newInstance(
                                java.nio.file.Path.of(args[0]))) {
                            System.out.println(tokenizer.encode("a red square").getIds().length + " ids");
                        }
                    }
                }
                """);
        String classpath = String.join(File.pathSeparator, ToolClasspath.entries(ELSEWHERE, ""));

        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", classpath, probe.toString(), bundle.resolve(EmulatedBundle.TOKENIZER).toString()));
        Path out = dir.resolve("out.txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();

        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsPattern("\\d+ ids");
    }

    @Test
    void aUrlClassLoadersEntriesComeAfterTheAnchors(@TempDir Path dir) throws Exception {
        Path extra = Files.createDirectories(dir.resolve("extra classes"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {extra.toUri().toURL()}, ELSEWHERE)) {
            List<String> entries = List.copyOf(ToolClasspath.entries(loader, ""));

            assertThat(entries).endsWith(extra.toString());
            assertThat(entries.get(0)).isEqualTo(Path.of(dev.fastvlm.emulator.tools.EmulatedTools.class
                    .getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        }
    }
}

package dev.fastvlm.genie.conformance;

import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where the real Qualcomm files are: {@code ../shared/fixtures/qairt-real} next to the repository
 * (the folder holding {@code .ci}), or the folder the {@code qairt.real.dir} system property names.
 * They are third-party files that the repository must not contain; CI has them. Tests that need
 * them are skipped, saying why, when the folder is absent. Shared with the other modules' tests
 * through this module's test jar.
 */
public final class RealFiles {
    private RealFiles() {
    }

    /** The folder, or a skipped test when it is absent. */
    public static Path dir() {
        String property = System.getProperty("qairt.real.dir");
        Path dir = property != null ? Path.of(property) : repositoryRoot().resolve("../shared/fixtures/qairt-real")
                .normalize();
        Assumptions.assumeTrue(Files.isDirectory(dir), "the real Qualcomm files are not at " + dir + " (third-party"
                + " data kept outside the repository; CI has them): conformance tests skipped");
        return dir;
    }

    private static Path repositoryRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(".ci"))) {
                return p;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /** The regular files under {@code sub} whose names end with {@code suffix}, sorted. */
    public static List<Path> files(String sub, String suffix) {
        try (Stream<Path> files = Files.walk(dir().resolve(sub))) {
            return files.filter(Files::isRegularFile).filter(f -> f.getFileName().toString().endsWith(suffix))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file's path relative to the folder, for messages and expectations. */
    public static String name(Path file) {
        return dir().relativize(file).toString();
    }
}

package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Every file a subcommand writes gets the mode the user's umask gives new files (what
 * {@code Files.createFile} gives here), plus execute bits where it can be read for the SDK's
 * programs: no subcommand makes its files owner-only while another makes them world-readable.
 */
class FileModesTest extends CliTest {

    private static final Set<PosixFilePermission> EXECUTE = EnumSet.of(PosixFilePermission.OWNER_EXECUTE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);

    @TempDir
    Path dir;

    private Set<PosixFilePermission> umaskMode() throws IOException {
        return Files.getPosixFilePermissions(Files.createFile(dir.resolve("reference-file")));
    }

    private void assertUmaskMode(Path file, Set<PosixFilePermission> expected) throws IOException {
        Set<PosixFilePermission> mode = EnumSet.copyOf(Files.getPosixFilePermissions(file));
        if (Files.isExecutable(file)) {
            mode.removeAll(EXECUTE);
        }
        assertThat(mode).as(file.toString()).isEqualTo(expected);
    }

    @Test
    void everySubcommandWritesWithTheUsersUmask() throws IOException {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
        Set<PosixFilePermission> expected = umaskMode();

        Path image = dir.resolve("image.png");
        try (InputStream in = getClass().getResourceAsStream("/cli-preprocess/rgb.png")) {
            Files.copy(in, image);
        }
        Path pixels = dir.resolve("pixels.raw");
        assertThat(run("preprocess", "--image", image.toString(), "--out", pixels.toString())).as(err.toString()).isZero();

        Path bundle = dir.resolve("bundle");
        assertThat(run("emulator", "bundle", "--out", bundle.toString(), "--width", "28")).as(err.toString()).isZero();
        Path sdk = dir.resolve("sdk");
        assertThat(run("emulator", "sdk", "--out", sdk.toString())).as(err.toString()).isZero();

        Path ids = dir.resolve("input_ids.raw");
        assertThat(run("tokenize", "--tokenizer", bundle.toString(), "--prompt", "Hi", "--out", ids.toString()))
                .as(err.toString()).isZero();

        Path config = dir.resolve("genie_config.json");
        assertThat(run("genie-config", "--model-dir", bundle.toString(), "--out", config.toString()))
                .as(err.toString()).isZero();

        Files.write(dir.resolve("vision.raw"), new byte[28]);
        Path combined = dir.resolve("combined.raw");
        assertThat(run("combine", "--vision", dir.resolve("vision.raw").toString(), "--vision-dtype", "uint8",
                "--scale", "1", "--offset", "0", "--dims", "1,1,28", "--lut", bundle.resolve("LUT.bin").toString(),
                "--ids-json", writeIds().toString(), "--out", combined.toString())).as(err.toString()).isZero();

        for (Path file : List.of(pixels, ids, config, combined)) {
            assertUmaskMode(file, expected);
        }
        try (Stream<Path> files = Stream.concat(Files.walk(bundle), Files.walk(sdk))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertUmaskMode(file, expected);
            }
        }
        Path program = sdk.resolve("bin/aarch64-android/genie-t2t-run");
        assertThat(program).isExecutable();
        Set<PosixFilePermission> programMode = Files.getPosixFilePermissions(program);
        assertThat(programMode.contains(PosixFilePermission.OTHERS_EXECUTE))
                .as("execute where the umask lets others read").isEqualTo(expected.contains(PosixFilePermission.OTHERS_READ));
    }

    private Path writeIds() throws IOException {
        return Files.writeString(dir.resolve("ids.json"), "[1, 2, 3]");
    }
}

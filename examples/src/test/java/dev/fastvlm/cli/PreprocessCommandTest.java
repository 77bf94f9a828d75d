package dev.fastvlm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code fastvlm preprocess} against digests of the seed's Python output (make_image_goldens.py). */
class PreprocessCommandTest extends CliTest {

    @TempDir
    Path dir;

    @Test
    void writesExactlyTheFileTheReferencePythonWrites() throws IOException {
        Path image = copyResource("rgb.png");
        for (String line : resource("expected.tsv").split("\n")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            Path tensor = dir.resolve("out-" + f[0] + "-" + f[1] + "-" + f[2] + ".raw");
            List<String> args = new ArrayList<>(List.of("preprocess", "--image", image.toString(), "--out", tensor.toString(),
                    "--dtype", f[1], "--resize", f[2]));
            if (!f[0].equals("1024")) {
                args.addAll(List.of("--size", f[0]));
            }
            assertThat(run(args.toArray(String[]::new))).as(line + "\n" + err).isZero();
            assertThat(sha256(Files.readAllBytes(tensor))).as(line).isEqualTo(f[3]);
        }
        assertThat(out.toString()).contains("(3145728 bytes, 1024x1024 uint8, stretch)");
    }

    @Test
    void badImageExitsNonZeroWithOneLineAndNoOutputFile() throws IOException {
        Path notImage = Files.writeString(dir.resolve("notes.jpg"), "not a picture");
        Path tensor = dir.resolve("vision.raw");
        assertThat(run("preprocess", "--image", notImage.toString(), "--out", tensor.toString())).isEqualTo(1);
        assertThat(err.toString()).isEqualTo("fastvlm preprocess: " + notImage
                + ": not an image (unrecognised content, 13 bytes)" + System.lineSeparator());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files).containsExactly(notImage);
        }
    }

    @Test
    void missingImageFileIsOneLine() {
        Path missing = dir.resolve("nope.png");
        assertThat(run("preprocess", "--image", missing.toString(), "--out", dir.resolve("x.raw").toString())).isEqualTo(1);
        assertThat(err.toString().lines()).containsExactly("fastvlm preprocess: " + missing + ": no such image file");
    }

    @Test
    void unknownDtypeIsAUsageError() throws IOException {
        Path image = copyResource("rgb.png");
        assertThat(run("preprocess", "--image", image.toString(), "--out", dir.resolve("x.raw").toString(),
                "--dtype", "fp16")).isEqualTo(2);
        assertThat(err.toString()).startsWith("fastvlm preprocess: --dtype must be uint8 or float32, was 'fp16'");
    }

    private Path copyResource(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/cli-preprocess/" + name)) {
            Path target = dir.resolve(name);
            Files.copy(in, target);
            return target;
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = PreprocessCommandTest.class.getResourceAsStream("/cli-preprocess/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

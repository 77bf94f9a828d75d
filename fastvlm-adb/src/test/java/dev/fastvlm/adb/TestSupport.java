package dev.fastvlm.adb;

import dev.fastvlm.transport.OutputListener;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.BooleanSupplier;

/** Helpers shared by the emulator-backed tests. */
final class TestSupport {

    private TestSupport() {
    }

    /** A file of {@code size} pseudo-random bytes (seeded by the size). */
    static Path randomFile(Path file, int size) throws IOException {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(file, bytes);
    }

    static List<String> withTrailingEmpty(List<String> items) {
        List<String> all = new ArrayList<>(items);
        all.add("");
        return all;
    }

    static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(20);
        }
    }

    /** Collects a program's output as text. */
    static class Collected implements OutputListener {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public synchronized void onStdout(byte[] data, int offset, int length) {
            out.write(data, offset, length);
        }

        @Override
        public synchronized void onStderr(byte[] data, int offset, int length) {
            err.write(data, offset, length);
        }

        synchronized String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }

        synchronized String stderr() {
            return err.toString(StandardCharsets.UTF_8);
        }
    }
}

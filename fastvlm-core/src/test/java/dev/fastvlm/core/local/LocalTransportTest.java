package dev.fastvlm.core.local;

import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The {@link dev.fastvlm.transport.Transport} contract, kept by local processes and files. */
class LocalTransportTest {

    @TempDir
    Path dir;
    private final LocalTransport local = LocalTransport.create();

    @AfterEach
    void close() {
        local.close();
    }

    private static final class Capture implements OutputListener {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

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
    }

    @Test
    void aProgramThatIgnoresTermEndsWithinItsCallersDeadlineAndMargin() {
        DeviceCommand stubborn = DeviceCommand.of("sh", "-c", "trap '' TERM; sleep 30").withTimeout(Duration.ofMinutes(1));
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(Duration.ofSeconds(1), "describe").call(
                () -> local.run(stubborn, OutputListener.NONE)))
                .isInstanceOf(FastVlmTimeoutException.class)
                .hasMessageContaining("describe did not finish within 1000 ms");
        // Without the deadline's margin the kill would wait its 2 s grace for the ignored TERM.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1100));
    }

    @Test
    void returnsTheRealExitCodeAndStderrTail() {
        Capture capture = new Capture();
        CommandResult result = local.run(DeviceCommand.of("sh", "-c", "echo out; echo oops >&2; exit 42"), capture);
        assertThat(result.exitCode()).isEqualTo(42);
        assertThat(result.succeeded()).isFalse();
        assertThat(result.stderrTail()).isEqualTo("oops\n");
        assertThat(capture.stdout()).isEqualTo("out\n");
        assertThat(capture.err.toString(StandardCharsets.UTF_8)).isEqualTo("oops\n");
    }

    @Test
    void keepsOnlyTheLastPartOfALongStderr() {
        CommandResult result = local.run(DeviceCommand.of("sh", "-c",
                "i=0; while [ $i -lt 2000 ]; do echo \"line $i\" >&2; i=$((i+1)); done"), OutputListener.NONE);
        assertThat(result.stderrTail()).hasSize(LocalTransport.STDERR_TAIL_BYTES).endsWith("line 1999\n");
    }

    @Test
    void aMissingProgramExitsWith127() {
        CommandResult result = local.run(DeviceCommand.of(dir.resolve("no-such-program").toString()),
                OutputListener.NONE);
        assertThat(result.exitCode()).isEqualTo(127);
        assertThat(result.stderrTail()).contains("no-such-program");
    }

    @Test
    void streamsStdoutBeforeTheProgramEnds() throws Exception {
        Path gate = dir.resolve("gate");
        CountDownLatch firstPiece = new CountDownLatch(1);
        StringBuilder seen = new StringBuilder();
        OutputListener listener = new OutputListener() {
            @Override
            public void onStdout(byte[] data, int offset, int length) {
                synchronized (seen) {
                    seen.append(new String(data, offset, length, StandardCharsets.UTF_8));
                }
                firstPiece.countDown();
            }
        };
        // The program waits for a file that the test creates only after the first piece arrived.
        CompletableFuture<CommandResult> run = CompletableFuture.supplyAsync(() -> local.run(DeviceCommand.of("sh",
                "-c", "printf first; while [ ! -e \"$1\" ]; do sleep 0.05; done; printf second", "sh",
                gate.toString()).withTimeout(Duration.ofSeconds(30)), listener));
        assertThat(firstPiece.await(20, TimeUnit.SECONDS)).isTrue();
        synchronized (seen) {
            assertThat(seen.toString()).isEqualTo("first");
        }
        assertThat(run).isNotDone();
        Files.createFile(gate);
        assertThat(run.get(20, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(seen.toString()).isEqualTo("firstsecond");
    }

    @Test
    void setsEnvironmentAndWorkingDirectory() throws IOException {
        Path work = Files.createDirectories(dir.resolve("work dir"));
        Capture capture = new Capture();
        local.run(DeviceCommand.of("sh", "-c", "pwd; printf '%s\\n' \"$GREETING\" \"$BASE\"")
                .withEnvironment("GREETING", "it's $HOME `id` \"quoted\"")
                .inDirectory(work.toString()), capture);
        assertThat(capture.stdout()).isEqualTo(work.toRealPath() + "\nit's $HOME `id` \"quoted\"\n\n");

        try (LocalTransport withBase = LocalTransport.builder().environment("BASE", "from transport")
                .environment("GREETING", "overridden").build()) {
            Capture second = new Capture();
            withBase.run(DeviceCommand.of("sh", "-c", "printf '%s|%s' \"$BASE\" \"$GREETING\"")
                    .withEnvironment("GREETING", "command wins"), second);
            assertThat(second.stdout()).isEqualTo("from transport|command wins");
        }
    }

    @Test
    void aMissingWorkingDirectoryFailsWith127() {
        CommandResult result = local.run(DeviceCommand.of("true").inDirectory(dir.resolve("absent").toString()),
                OutputListener.NONE);
        assertThat(result.exitCode()).isEqualTo(127);
    }

    @Test
    void hostileArgumentsReachTheProgramByteForByte() throws IOException {
        Path marker = dir.resolve("injected");
        List<String> hostile = List.of("a b", "it's", "$(touch " + marker + ")", "`touch " + marker + "`",
                "; touch " + marker, "\"", "\\", "*", "new\nline", "", "-n", "ünïcödé ✓");
        Path printer = dir.resolve("print args");
        Files.writeString(printer, "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]' \"$a\"; done\n");
        Files.setPosixFilePermissions(printer, PosixFilePermissions.fromString("rwx------"));
        List<String> argv = new ArrayList<>();
        argv.add(printer.toString());
        argv.addAll(hostile);
        Capture capture = new Capture();
        assertThat(local.run(DeviceCommand.of(argv), capture).exitCode()).isZero();
        StringBuilder expected = new StringBuilder();
        hostile.forEach(a -> expected.append('[').append(a).append(']'));
        assertThat(capture.stdout()).isEqualTo(expected.toString());
        assertThat(marker).doesNotExist();
    }

    @Test
    void aTimeoutKillsTheProcessTree() throws Exception {
        Path pids = dir.resolve("pids");
        long start = System.nanoTime();
        assertThatThrownBy(() -> local.run(DeviceCommand.of("sh", "-c",
                        "sleep 60 & echo $! > \"$1\"; echo $$ >> \"$1\"; wait", "sh", pids.toString())
                .withTimeout(Duration.ofMillis(700)), OutputListener.NONE))
                .isInstanceOf(FastVlmTimeoutException.class)
                .hasMessageContaining("sh");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertAllGone(pids);
    }

    @Test
    void interruptionKillsTheProcessAndThrowsCancelled() throws Exception {
        Path pids = dir.resolve("pids");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                local.run(DeviceCommand.of("sh", "-c", "sleep 60 & echo $! > \"$1\"; echo $$ >> \"$1\"; wait", "sh",
                        pids.toString()), OutputListener.NONE);
            } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        caller.start();
        waitFor(() -> Files.exists(pids) && lines(pids).size() == 2);
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThat(stillInterrupted.get()).isTrue();
        assertAllGone(pids);
    }

    @Test
    void aFailingListenerStopsTheProgramAndSurfaces() {
        long start = System.nanoTime();
        assertThatThrownBy(() -> local.run(DeviceCommand.of("sh", "-c", "echo hi; sleep 60"), new OutputListener() {
            @Override
            public void onStdout(byte[] data, int offset, int length) {
                throw new IllegalStateException("listener broke");
            }
        })).isInstanceOf(IllegalStateException.class).hasMessage("listener broke");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void writeCreatesParentsAndReportsProgress() throws IOException {
        Path target = dir.resolve("a/b/c.bin");
        byte[] data = new byte[100_000];
        new java.util.Random(1).nextBytes(data);
        List<Long> progress = new ArrayList<>();
        local.write(target.toString(), data.length, out -> out.write(data), (done, total) -> {
            assertThat(total).isEqualTo(data.length);
            progress.add(done);
        });
        assertThat(Files.readAllBytes(target)).isEqualTo(data);
        assertThat(progress).isSorted().last().isEqualTo((long) data.length);
        assertThat(leftovers(target.getParent())).isEmpty();
    }

    @Test
    void aFailedWriteLeavesTheOldFileAndNoTemporary() throws IOException {
        Path target = dir.resolve("model.bin");
        Files.writeString(target, "old content");
        assertThatThrownBy(() -> local.write(target.toString(), 10, out -> {
            out.write(new byte[5]);
            throw new IOException("producer died");
        }, TransferListener.NONE)).hasMessageContaining("producer died");
        assertThatThrownBy(() -> local.write(target.toString(), 10, out -> out.write(new byte[4]),
                TransferListener.NONE)).isInstanceOf(FastVlmException.class).hasMessageContaining("4 bytes, 10");
        assertThatThrownBy(() -> local.write(target.toString(), 3, out -> out.write(new byte[4]),
                TransferListener.NONE)).isInstanceOf(FastVlmException.class).hasMessageContaining("3 bytes");
        assertThat(Files.readString(target)).isEqualTo("old content");
        assertThat(leftovers(dir)).isEmpty();
    }

    @Test
    void inPlaceUploadsWriteStraightUnderTheirNameAndAreRemovedWhenTheyFail() throws IOException {
        Path first = dir.resolve("request/pixels.raw");
        Path second = dir.resolve("request/list.txt");
        local.writeAll(List.of(Upload.of(first.toString(), new byte[] {1, 2}).inPlace(),
                Upload.of(second.toString(), new byte[] {3}).inPlace()), TransferListener.NONE);
        assertThat(first).hasBinaryContent(new byte[] {1, 2});
        assertThat(second).hasBinaryContent(new byte[] {3});

        Path broken = dir.resolve("request/broken.raw");
        assertThatThrownBy(() -> local.writeAll(List.of(new Upload(broken.toString(), 10,
                out -> out.write(new byte[4])).inPlace()), TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining(broken.toString());
        assertThat(broken).doesNotExist();
        assertThat(leftovers(first.getParent())).isEmpty();
    }

    @Test
    void rejectsRelativeDevicePaths() {
        assertThatThrownBy(() -> local.write("relative/file", 0, out -> { }, TransferListener.NONE))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> local.pull("relative", dir.resolve("x"), TransferListener.NONE))
                .isInstanceOf(InvalidConfigurationException.class);
    }

    @Test
    void pushKeepsContentAndExecutableBitAndIsANoOpOntoItself() throws IOException {
        Path tool = dir.resolve("tool");
        Files.writeString(tool, "#!/bin/sh\necho pushed\n");
        Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = dir.resolve("device/tool");
        local.push(tool, target.toString(), TransferListener.NONE);
        assertThat(Files.readString(target)).isEqualTo(Files.readString(tool));
        assertThat(Files.isExecutable(target)).isTrue();
        Capture capture = new Capture();
        local.run(DeviceCommand.of(target.toString()), capture);
        assertThat(capture.stdout()).isEqualTo("pushed\n");

        local.push(tool, tool.toString(), TransferListener.NONE);
        assertThat(Files.readString(tool)).isEqualTo("#!/bin/sh\necho pushed\n");
        assertThat(leftovers(dir)).isEmpty();
        assertThat(leftovers(target.getParent())).isEmpty();
    }

    @Test
    void pullCopiesWholeFilesAndNamesWhatIsMissing() throws IOException {
        Path source = dir.resolve("device/out.raw");
        Files.createDirectories(source.getParent());
        byte[] data = new byte[70_000];
        new java.util.Random(2).nextBytes(data);
        Files.write(source, data);
        Path host = dir.resolve("host/copy.raw");
        local.pull(source.toString(), host, TransferListener.NONE);
        assertThat(Files.readAllBytes(host)).isEqualTo(data);

        assertThatThrownBy(() -> local.pull(dir.resolve("device/absent.raw").toString(), host, TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("absent.raw");
        assertThatThrownBy(() -> local.pull(source.getParent().toString(), host, TransferListener.NONE))
                .hasMessageContaining("not a regular file");
        assertThat(Files.readAllBytes(host)).isEqualTo(data);
        assertThat(leftovers(host.getParent())).isEmpty();
    }

    @Test
    void readReturnsTheFileAndRefusesOneLargerThanAllowed() throws IOException {
        Path file = dir.resolve("device/out.raw");
        Files.createDirectories(file.getParent());
        Files.write(file, new byte[] {1, 2, 3, 4});
        assertThat(local.read(file.toString(), 4)).containsExactly(1, 2, 3, 4);
        assertThatThrownBy(() -> local.read(file.toString(), 3))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("4 bytes").hasMessageContaining("3");
        assertThatThrownBy(() -> local.read(dir.resolve("device/none").toString(), 3))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("no file");
    }

    @Test
    void theDeviceHousekeepingScriptsWorkLocally() {
        String base = dir.resolve("requests").toString();
        String path;
        try (RequestDirectory work = RequestDirectory.reserve(local, base)) {
            path = work.path();
            assertThat(Path.of(path)).as("reserving costs no device work").doesNotExist();
            local.write(work.resolve("in/pixels.raw"), 1, out -> out.write(7), TransferListener.NONE);
            assertThat(Path.of(path).resolve("in/pixels.raw")).hasBinaryContent(new byte[] {7});
            assertThat(DeviceScripts.output(local, "echo $((6 * 7))")).isEqualTo("42\n");
        }
        assertThat(Path.of(path)).doesNotExist();
    }

    private static List<Path> leftovers(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        }
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().filter(s -> !s.isBlank()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void assertAllGone(Path pids) throws InterruptedException {
        List<Long> ids = lines(pids).stream().map(s -> Long.parseLong(s.strip())).toList();
        assertThat(ids).hasSize(2);
        waitFor(() -> ids.stream().noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition not met in 15 s").isNegative();
            Thread.sleep(20);
        }
    }
}

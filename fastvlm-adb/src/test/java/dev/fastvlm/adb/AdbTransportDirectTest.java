package dev.fastvlm.adb;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.core.device.ArtifactSync;
import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.CancelledException;
import dev.fastvlm.DeviceException;
import dev.fastvlm.DeviceNotFoundException;
import dev.fastvlm.DeviceToolException;
import dev.fastvlm.DeviceUnauthorizedException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Upload;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AdbTransport straight to the emulator's adbd over TCP, as to a phone after {@code adb tcpip}. */
class AdbTransportDirectTest {

    static final String DIR = "/data/local/tmp/adbtest";

    @TempDir
    static Path keys;
    static DeviceEmulator device;
    static AdbTransport adb;

    @TempDir
    Path host;

    @BeforeAll
    static void start() {
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(keys.resolve("adbkey.pub")).build());
        adb = AdbTransport.builder().direct("127.0.0.1", device.port()).adbKey(keys.resolve("adbkey")).build();
    }

    @AfterAll
    static void stop() {
        adb.close();
        device.close();
    }

    @Test
    void createsAnAdbKeyPairLikeAdbWhenMissing() {
        assertThat(keys.resolve("adbkey")).isNotEmptyFile();
        assertThat(keys.resolve("adbkey.pub")).isNotEmptyFile();
        assertThat(adb.target()).isEqualTo(device.serial());
    }

    @Test
    void exitCodesAreTheProgramsOwn() {
        for (int code : new int[] {0, 1, 3, 127, 255}) {
            CommandResult result = adb.run(DeviceCommand.of("sh", "-c", "exit " + code), OutputListener.NONE);
            assertThat(result.exitCode()).isEqualTo(code);
        }
    }

    @Test
    void stdoutAndStderrAreSeparateAndNonZeroExitCarriesTheStderrTail() {
        TestSupport.Collected out = new TestSupport.Collected();
        CommandResult result = adb.run(DeviceCommand.of("sh", "-c", "echo to-out; echo to-err >&2; exit 4"), out);
        assertThat(out.stdout()).isEqualTo("to-out\n");
        assertThat(out.stderr()).isEqualTo("to-err\n");
        assertThat(result.stderrTail()).isEqualTo("to-err\n");

        assertThatThrownBy(() -> adb.runChecked(DeviceCommand.of("sh", "-c",
                "i=0; while [ $i -lt 2000 ]; do echo line-$i >&2; i=$((i+1)); done; exit 9"), OutputListener.NONE))
                .isInstanceOfSatisfying(DeviceToolException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(9);
                    assertThat(e.tool()).isEqualTo("sh");
                    assertThat(e.stderrTail()).endsWith("line-1999\n").doesNotContain("line-0\n")
                            .hasSizeLessThanOrEqualTo(ShellRun.STDERR_TAIL_BYTES);
                });
    }

    @Test
    void stdoutIsStreamedWhileTheProgramStillRuns() {
        String go = DIR + "/go-" + System.nanoTime();
        // The program only finishes once the listener, having seen its first line, creates the file.
        DeviceCommand command = DeviceCommand.of("sh", "-c", "echo first; while [ ! -e " + go + " ]; do sleep 0.05; done; "
                + "echo second").withTimeout(Duration.ofSeconds(30));
        adb.run(DeviceCommand.of("mkdir", "-p", DIR), OutputListener.NONE);
        TestSupport.Collected out = new TestSupport.Collected() {
            @Override
            public void onStdout(byte[] data, int offset, int length) {
                super.onStdout(data, offset, length);
                if (stdout().startsWith("first\n") && !stdout().contains("second")) {
                    CompletableFuture.runAsync(() -> adb.run(DeviceCommand.of("touch", go), OutputListener.NONE));
                }
            }
        };
        assertThat(adb.run(command, out).exitCode()).isZero();
        assertThat(out.stdout()).isEqualTo("first\nsecond\n");
    }

    @Test
    void environmentAndWorkingDirectoryApplyToTheProgram() {
        String work = DIR + "/wd with space";
        adb.run(DeviceCommand.of("mkdir", "-p", work), OutputListener.NONE);
        TestSupport.Collected out = new TestSupport.Collected();
        adb.runChecked(DeviceCommand.of("sh", "-c", "pwd; echo \"$LD_LIBRARY_PATH|$ADSP_LIBRARY_PATH\"")
                .withEnvironment("LD_LIBRARY_PATH", work + ":/vendor/lib64")
                .withEnvironment("ADSP_LIBRARY_PATH", work + ";/vendor/dsp/cdsp")
                .inDirectory(work), out);
        String[] lines = out.stdout().split("\n");
        // The emulator runs the shell on the host, so pwd shows the sandbox path of the device folder.
        assertThat(lines[0]).endsWith(work);
        assertThat(lines[1]).matches(".*/data/local/tmp/adbtest/wd with space:.*/vendor/lib64\\|"
                + ".*/data/local/tmp/adbtest/wd with space;.*/vendor/dsp/cdsp");
    }

    @Test
    void hostileArgumentsArriveIntactAndRunNothing() throws IOException {
        List<String> argv = new ArrayList<>(List.of("printf", "%s\\n"));
        // Relative names: the emulator rewrites device paths anywhere in a command line, a phone would not.
        List<String> hostile = List.of("a b", "it's", "\"q\"", "$(touch PWNED)", "`touch PWNED`",
                "x; touch PWNED", "y && touch PWNED", "$HOME", "*", "");
        argv.addAll(hostile);
        TestSupport.Collected out = new TestSupport.Collected();
        adb.runChecked(DeviceCommand.of(argv), out);
        assertThat(out.stdout().split("\n", -1)).containsExactlyElementsOf(TestSupport.withTrailingEmpty(hostile));
        assertThat(device.sandbox().resolve("PWNED")).doesNotExist();
        assertThat(device.hostPath(DIR + "/PWNED")).doesNotExist();
    }

    @Test
    void hostileFileNamesPushPullAndRunIntact() throws IOException {
        String name = "we ird 'q' \"dq\" $(touch PWNED) ; touch PWNED2 `x` ünï.bin";
        Path source = TestSupport.randomFile(host.resolve("source.bin"), 70_000);
        String devicePath = DIR + "/hostile dir $(id)/" + name;
        adb.push(source, devicePath, TransferListener.NONE);
        assertThat(device.hostPath(devicePath)).hasSameBinaryContentAs(source);

        TestSupport.Collected out = new TestSupport.Collected();
        adb.runChecked(DeviceCommand.of("ls", DIR + "/hostile dir $(id)"), out);
        assertThat(out.stdout()).isEqualTo(name + "\n");

        Path back = host.resolve("back.bin");
        adb.pull(devicePath, back, TransferListener.NONE);
        assertThat(back).hasSameBinaryContentAs(source);
        try (Stream<Path> all = Files.walk(device.sandbox())) {
            assertThat(all.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("PWNED"));
        }
    }

    @Test
    void pushAndPullRoundTripSizesAroundPacketBoundariesWithProgress() throws IOException {
        for (int size : new int[] {0, 1, 65_535, 65_536, 65_537, 1_000_003}) {
            Path source = TestSupport.randomFile(host.resolve("in-" + size), size);
            String devicePath = DIR + "/sizes/file-" + size;
            List<long[]> progress = new ArrayList<>();
            adb.push(source, devicePath, (done, total) -> progress.add(new long[] {done, total}));
            assertThat(device.hostPath(devicePath)).hasSameBinaryContentAs(source);
            assertThat(progress).isNotEmpty();
            assertThat(progress.get(progress.size() - 1)).containsExactly(size, size);
            assertThat(progress).isSortedAccordingTo((a, b) -> Long.compare(a[0], b[0]));

            List<long[]> pulled = new ArrayList<>();
            Path back = host.resolve("out-" + size);
            adb.pull(devicePath, back, (done, total) -> pulled.add(new long[] {done, total}));
            assertThat(back).hasSameBinaryContentAs(source);
            assertThat(pulled.get(pulled.size() - 1)).containsExactly(size, size);
        }
        assertThat(partFiles()).isEmpty();
    }

    @Test
    void pullingAMissingFileOrADirectoryFailsAndLeavesTheConnectionUsable() throws IOException {
        Path local = host.resolve("kept.bin");
        Files.write(local, new byte[] {5});
        assertThatThrownBy(() -> adb.pull(DIR + "/nothing-here.bin", local, TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("no file " + DIR + "/nothing-here.bin");
        adb.run(DeviceCommand.of("mkdir", "-p", DIR + "/a-directory"), OutputListener.NONE);
        assertThatThrownBy(() -> adb.pull(DIR + "/a-directory", local, TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("not a regular file");
        assertThat(local).as("the host file is untouched").hasBinaryContent(new byte[] {5});
        adb.write(DIR + "/after.bin", 2, out -> out.write(new byte[] {1, 2}), TransferListener.NONE);
        adb.pull(DIR + "/after.bin", local, TransferListener.NONE);
        assertThat(local).hasBinaryContent(new byte[] {1, 2});
    }

    @Test
    void readBringsAWholeFileIntoMemoryAndRefusesOneLargerThanAllowed() throws IOException {
        for (int size : new int[] {0, 65_536, 1_000_003}) {
            Path source = TestSupport.randomFile(host.resolve("read-" + size), size);
            adb.push(source, DIR + "/read/file-" + size, TransferListener.NONE);
            assertThat(adb.read(DIR + "/read/file-" + size, size)).isEqualTo(Files.readAllBytes(source));
        }
        assertThatThrownBy(() -> adb.read(DIR + "/read/file-1000003", 1_000_000))
                .isInstanceOf(FastVlmException.class)
                .hasMessageContaining(DIR + "/read/file-1000003").hasMessageContaining("1000003 bytes")
                .hasMessageContaining("1000000");
        assertThatThrownBy(() -> adb.read(DIR + "/read/none", 10))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("no file " + DIR + "/read/none");
        assertThat(adb.read(DIR + "/read/file-65536", 65_536)).as("the connection is still good").hasSize(65_536);
    }

    @Test
    void executablesStayExecutable() throws IOException {
        Path script = host.resolve("tool.sh");
        Files.writeString(script, "#!/bin/sh\necho tool-ran \"$1\"\n");
        script.toFile().setExecutable(true);
        adb.push(script, DIR + "/bin/tool.sh", TransferListener.NONE);
        TestSupport.Collected out = new TestSupport.Collected();
        adb.runChecked(DeviceCommand.of("./tool.sh", "arg one").inDirectory(DIR + "/bin"), out);
        assertThat(out.stdout()).isEqualTo("tool-ran arg one\n");
    }

    @Test
    void aBatchLandsEveryFileInOneSessionAndAFailedBatchLeavesNone() {
        String first = DIR + "/batch/one/a.raw";
        String second = DIR + "/batch/two words/b's.txt";
        List<long[]> progress = new ArrayList<>();
        adb.writeAll(List.of(Upload.of(first, new byte[] {1, 2, 3}), Upload.of(second, "list\n".getBytes(StandardCharsets.UTF_8))),
                (done, total) -> progress.add(new long[] {done, total}));
        assertThat(device.hostPath(first)).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(device.hostPath(second)).hasContent("list\n");
        assertThat(progress).extracting(p -> p[1]).contains(3L, 5L);

        String third = DIR + "/batch/one/c.raw";
        String fourth = DIR + "/batch/one/d.raw";
        assertThatThrownBy(() -> adb.writeAll(List.of(Upload.of(third, new byte[] {9}),
                new Upload(fourth, 8, out -> out.write(new byte[5]))), TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining(fourth).hasMessageContaining("was 5 bytes");
        assertThat(device.hostPath(third)).as("a batch that failed lands nothing").doesNotExist();
        assertThat(device.hostPath(fourth)).doesNotExist();
        assertThat(partFiles()).isEmpty();

        String inPlace = DIR + "/batch/one/e.raw";
        adb.writeAll(List.of(Upload.of(inPlace, new byte[] {4, 2}).inPlace()), TransferListener.NONE);
        assertThat(device.hostPath(inPlace)).hasBinaryContent(new byte[] {4, 2});
        assertThatThrownBy(() -> adb.writeAll(List.of(Upload.of(third, new byte[] {9}).inPlace(),
                new Upload(fourth, 8, out -> out.write(new byte[5])).inPlace()), TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining(fourth);
        assertThat(device.hostPath(third)).as("a failed in-place batch is removed too").doesNotExist();
        assertThat(device.hostPath(fourth)).doesNotExist();
    }

    @Test
    void writeOfTheWrongLengthLeavesNothingUnderTheName() {
        String devicePath = DIR + "/short.bin";
        assertThatThrownBy(() -> adb.write(devicePath, 10, out -> out.write(new byte[4]), TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("was 4 bytes, but 10 were announced");
        assertThatThrownBy(() -> adb.write(devicePath, 2, out -> out.write(new byte[3]), TransferListener.NONE))
                .isInstanceOf(FastVlmException.class);
        assertThat(device.hostPath(devicePath)).doesNotExist();
        assertThat(partFiles()).isEmpty();
        // And the transport is still usable.
        adb.write(devicePath, 3, out -> out.write(new byte[] {1, 2, 3}), TransferListener.NONE);
        assertThat(device.hostPath(devicePath)).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void pullOfAMissingFileIsAClearErrorAndLeavesTheHostFileAlone() throws IOException {
        Path existing = Files.writeString(host.resolve("keep.txt"), "old");
        assertThatThrownBy(() -> adb.pull(DIR + "/no/such/file", existing, TransferListener.NONE))
                .isInstanceOf(FastVlmException.class).hasMessageContaining("/no/such/file");
        assertThat(existing).hasContent("old");
        try (Stream<Path> files = Files.list(host)) {
            assertThat(files).containsExactly(existing);
        }
    }

    @Test
    void aHungToolHitsItsTimeoutAndIsKilledOnTheDevice() {
        String pidFile = DIR + "/hung.pid";
        adb.run(DeviceCommand.of("mkdir", "-p", DIR), OutputListener.NONE);
        String termed = DIR + "/hung.termed";
        // The TERM trap proves the transport itself stopped the program: closing the stream makes
        // the emulator (like adbd) kill it too, but with SIGKILL, which no trap sees.
        DeviceCommand hung = DeviceCommand.of("sh", "-c", "trap 'echo term > " + termed + "; exit 143' TERM; "
                        + "echo $$ > " + pidFile + "; while :; do sleep 0.05; done")
                .withTimeout(Duration.ofMillis(700));
        long start = System.nanoTime();
        assertThatThrownBy(() -> adb.run(hung, OutputListener.NONE))
                .isInstanceOfSatisfying(FastVlmTimeoutException.class,
                        e -> assertThat(e.limit()).isEqualTo(Duration.ofMillis(700)));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(processAlive(pidFile)).isFalse();
        assertThat(device.hostPath(termed)).hasContent("term");
    }

    @Test
    void interruptingTheCallerCancelsAndKillsTheProgramOnTheDevice() throws Exception {
        String pidFile = DIR + "/cancel.pid";
        adb.run(DeviceCommand.of("mkdir", "-p", DIR), OutputListener.NONE);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                adb.run(DeviceCommand.of("sh", "-c", "echo $$ > " + pidFile + "; echo started; exec sleep 600"),
                        OutputListener.NONE);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        TestSupport.waitFor(() -> Files.exists(device.hostPath(pidFile)));
        caller.interrupt();
        caller.join(20_000);
        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(CancelledException.class);
        assertThat(processAlive(pidFile)).isFalse();
    }

    @Test
    void deviceFactsReportTheEmulatedChip() {
        DeviceFacts facts = adb.facts();
        assertThat(facts.serial()).isEqualTo(device.serial());
        assertThat(facts.socModel()).isEqualTo(device.soc().name());
        assertThat(facts.abi()).isEqualTo("arm64-v8a");
        assertThat(facts.androidVersion()).isNotEmpty();
        assertThat(facts.sdkLevel()).isPositive();
        assertThat(facts.product()).isNotEmpty();
        Map<String, String> socTable = Map.of(device.soc().name(), device.soc().dspArch());
        assertThat(facts.htpArch(soc -> Optional.ofNullable(socTable.get(soc)))).contains(device.soc().dspArch());
    }

    @Test
    void requestDirectoriesAreSeparateAndRemovedUnlessKept() {
        String parent = DIR + "/requests";
        String firstPath;
        try (RequestDirectory first = RequestDirectory.reserve(adb, parent);
             RequestDirectory second = RequestDirectory.reserve(adb, parent)) {
            firstPath = first.path();
            assertThat(first.path()).isNotEqualTo(second.path()).startsWith(parent + "/");
            adb.write(first.resolve("in.raw"), 1, out -> out.write(7), TransferListener.NONE);
            assertThat(device.hostPath(first.resolve("in.raw"))).exists();
            assertThat(device.hostPath(second.resolve("in.raw"))).doesNotExist();
        }
        assertThat(device.hostPath(firstPath)).doesNotExist();
        RequestDirectory kept = RequestDirectory.reserve(adb, parent).keep();
        adb.write(kept.resolve("in.raw"), 1, out -> out.write(7), TransferListener.NONE);
        kept.close();
        assertThat(device.hostPath(kept.path())).isDirectory();
    }

    @Test
    void aKeyTheDeviceDoesNotKnowIsUnauthorized(@TempDir Path other) {
        long start = System.nanoTime();
        assertThatThrownBy(() -> AdbTransport.builder().direct("127.0.0.1", device.port()).adbKey(other.resolve("adbkey"))
                .connectTimeout(Duration.ofSeconds(2)).build())
                .isInstanceOf(DeviceUnauthorizedException.class).hasMessageContaining("127.0.0.1:" + device.port());
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void nothingListeningIsDeviceNotFound() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        assertThatThrownBy(() -> AdbTransport.builder().direct("127.0.0.1", port).adbKey(keys.resolve("adbkey")).build())
                .isInstanceOf(DeviceNotFoundException.class).hasMessageContaining("127.0.0.1:" + port);
    }

    private boolean processAlive(String pidFile) {
        CommandResult alive = adb.run(DeviceCommand.of("sh", "-c", "kill -0 $(cat " + pidFile + ")"), OutputListener.NONE);
        return alive.exitCode() == 0;
    }

    private List<Path> partFiles() {
        try (Stream<Path> all = Files.walk(device.sandbox())) {
            return all.filter(p -> p.getFileName().toString().endsWith(".part")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

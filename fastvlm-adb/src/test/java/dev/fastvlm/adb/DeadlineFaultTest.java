package dev.fastvlm.adb;

import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.FaultyLink;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every wait of AdbTransport obeys the caller's Deadline and interrupt, on the emulator behind a
 * link that goes silent or slow: the call ends within its limit plus the 10% margin (a cancel
 * within a second), and the next call works at once.
 */
class DeadlineFaultTest {

    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final Duration WITH_MARGIN = Duration.ofMillis(2200);
    private static final String DIR = "/data/local/tmp/deadline";

    @TempDir
    static Path keys;
    @TempDir
    Path host;
    private DeviceEmulator device;
    private FaultyLink link;
    private AdbTransport adb;
    private final ExecutorService worker = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws IOException {
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(keys.resolve("adbkey.pub")).build());
        link = FaultyLink.to(device.port());
        adb = AdbTransport.builder().direct("127.0.0.1", link.port()).adbKey(keys.resolve("adbkey"))
                .connectTimeout(Duration.ofSeconds(5)).build();
        adb.run(DeviceCommand.of("mkdir", "-p", DIR), OutputListener.NONE);
    }

    @AfterEach
    void stop() throws IOException {
        worker.shutdownNow();
        adb.close();
        link.close();
        device.close();
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private void assertNextPushWorksAtOnce(Path source) throws IOException {
        long start = System.nanoTime();
        adb.push(source, DIR + "/model.bin", TransferListener.NONE);
        assertThat(millisSince(start)).as("the next request, at once").isLessThan(1500);
        assertThat(device.hostPath(DIR + "/model.bin")).hasSameBinaryContentAs(source);
        try (Stream<Path> files = Files.list(device.hostPath(DIR))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("model.bin");
        }
    }

    @Test
    void aLinkThatGoesSilentMidPushEndsThePushAtItsDeadline() throws IOException {
        Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
        // The OKAYs of the sync stream and of the first megabyte arrive, then nothing.
        link.silenceAfterDeviceSends(50);
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(LIMIT, "describe").run(
                () -> adb.push(source, DIR + "/model.bin", TransferListener.NONE)))
                .isInstanceOf(FastVlmTimeoutException.class)
                .hasMessageContaining("describe did not finish within 2000 ms");
        assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 50, WITH_MARGIN.toMillis());
        assertThat(device.hostPath(DIR + "/model.bin")).doesNotExist();
        assertNextPushWorksAtOnce(source);
    }

    @Test
    void aLinkThatGoesSilentMidStreamEndsTheProgramAtItsDeadline() throws IOException {
        link.silenceAfterDeviceSends(400);
        DeviceCommand talker = DeviceCommand.of("sh", "-c",
                "i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); sleep 0.02; done")
                .withTimeout(Duration.ofMinutes(1));
        TestSupport.Collected output = new TestSupport.Collected();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(LIMIT, "describe").call(() -> adb.run(talker, output)))
                .isInstanceOf(FastVlmTimeoutException.class);
        assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 50, WITH_MARGIN.toMillis());
        assertThat(output.stdout()).startsWith("line 0");

        long again = System.nanoTime();
        CommandResult result = adb.run(DeviceCommand.of("echo", "back"), output);
        assertThat(result.exitCode()).isZero();
        assertThat(millisSince(again)).isLessThan(1500);
        assertNextPushWorksAtOnce(TestSupport.randomFile(host.resolve("small.bin"), 10_000));
    }

    @Test
    void a300BytesPerSecondLinkEndsAPullAtItsDeadline() throws IOException {
        Path onDevice = device.hostPath(DIR + "/out.raw");
        TestSupport.randomFile(onDevice, 100_000);
        link.throttleDevice(300);
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(LIMIT, "describe").call(() -> adb.read(DIR + "/out.raw", 200_000)))
                .isInstanceOf(FastVlmTimeoutException.class);
        assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 50, WITH_MARGIN.toMillis());

        link.throttleDevice(0);
        long again = System.nanoTime();
        assertThat(adb.read(DIR + "/out.raw", 200_000)).isEqualTo(Files.readAllBytes(onDevice));
        assertThat(millisSince(again)).isLessThan(1500);
    }

    @Test
    void aCancelDuringAPushOnASilentLinkEndsItWithinASecondAndSoDoesACancelWhileReconnecting() throws Exception {
        Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
        link.silenceAfterDeviceSends(200);
        Future<?> push = worker.submit(() -> adb.push(source, DIR + "/model.bin", TransferListener.NONE));
        Thread.sleep(500);
        long start = System.nanoTime();
        push.cancel(true);
        assertThat(worker.submit(() -> "free").get(1, TimeUnit.SECONDS))
                .as("the worker is free again within a second").isEqualTo("free");
        assertThat(millisSince(start)).isLessThan(1000);

        // Make the link reconnect, into a handshake the device never answers.
        link.silenceAfterDeviceSends(0);
        assertThatThrownBy(() -> Deadline.after(Duration.ofMillis(300), "probe").call(
                () -> adb.run(DeviceCommand.of("true"), OutputListener.NONE)))
                .isInstanceOfAny(FastVlmTimeoutException.class);
        link.silenceAfterDeviceSends(0);
        Future<?> reconnecting = worker.submit(() -> adb.push(source, DIR + "/model.bin", TransferListener.NONE));
        Thread.sleep(500);
        long cancelled = System.nanoTime();
        reconnecting.cancel(true);
        assertThat(worker.submit(() -> "free").get(1, TimeUnit.SECONDS)).isEqualTo("free");
        assertThat(millisSince(cancelled)).isLessThan(1000);
        assertThatThrownBy(reconnecting::get).isInstanceOf(java.util.concurrent.CancellationException.class);
    }

    @Test
    void anInterruptedPushEndsWithCancelledException() throws Exception {
        Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
        link.silenceAfterDeviceSends(200);
        Thread caller = Thread.currentThread();
        Executors.newSingleThreadScheduledExecutor().schedule(caller::interrupt, 300, TimeUnit.MILLISECONDS);
        long start = System.nanoTime();
        assertThatThrownBy(() -> adb.push(source, DIR + "/model.bin", TransferListener.NONE))
                .isInstanceOf(CancelledException.class);
        assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
        assertThat(millisSince(start)).isLessThan(1300);
    }

    @Test
    void theEmulatorsOwn300BytesPerSecondLinkEndsAPullAtItsDeadline() throws IOException {
        try (DeviceEmulator slow = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(keys.resolve("adbkey.pub"))
                .faults(new dev.fastvlm.emulator.EmulatorFaults(0, 300, 0, java.util.Map.of(), java.util.Set.of()))
                .build());
             AdbTransport throttled = AdbTransport.builder().direct("127.0.0.1", slow.port())
                     .adbKey(keys.resolve("adbkey")).connectTimeout(Duration.ofSeconds(5)).build()) {
            Path onDevice = slow.hostPath(DIR + "/out.raw");
            Files.createDirectories(onDevice.getParent());
            TestSupport.randomFile(onDevice, 100_000);
            long start = System.nanoTime();
            assertThatThrownBy(() -> Deadline.after(LIMIT, "describe").call(
                    () -> throttled.read(DIR + "/out.raw", 200_000)))
                    .isInstanceOf(FastVlmTimeoutException.class)
                    .hasMessageContaining("describe did not finish within 2000 ms");
            assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 50, WITH_MARGIN.toMillis());
        }
    }

    @Test
    void withoutAFaultTheDeadlineDoesNotGetInTheWay() throws IOException, ExecutionException {
        Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
        Deadline.after(LIMIT, "describe").run(() -> adb.push(source, DIR + "/model.bin", TransferListener.NONE));
        assertThat(device.hostPath(DIR + "/model.bin")).hasSameBinaryContentAs(source);
    }
}

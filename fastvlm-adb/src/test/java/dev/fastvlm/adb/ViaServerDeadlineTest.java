package dev.fastvlm.adb;

import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.FaultyLink;
import dev.fastvlm.emulator.HostAdb;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Through the real adb server (a socket per stream, whose reads and writes block without limit), a
 * transfer obeys the caller's Deadline and interrupt: the adb server reaches the emulator through
 * a link that goes silent or slow, and the call ends within its limit plus the 10% margin (a
 * cancel within a second) instead of waiting for ever.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ViaServerDeadlineTest {

    private static final Duration LIMIT = Duration.ofSeconds(2);
    private static final Duration WITH_MARGIN = Duration.ofMillis(2200);
    private static final String DIR = "/data/local/tmp/deadline";

    @TempDir
    Path home;
    @TempDir
    Path host;
    private DeviceEmulator device;
    private FaultyLink link;
    private HostAdb server;
    private AdbTransport adb;

    @BeforeEach
    void start() throws IOException {
        server = HostAdb.start(home);
        device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(server.publicKey()).build());
        link = FaultyLink.to(device.port());
        String serial = "127.0.0.1:" + link.port();
        server.connect(serial);
        adb = AdbTransport.builder().adbServer("127.0.0.1", server.serverPort()).serial(serial).build();
        adb.run(DeviceCommand.of("mkdir", "-p", DIR), OutputListener.NONE);
    }

    @AfterEach
    void stop() throws IOException {
        adb.close();
        server.close();
        link.close();
        device.close();
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    @Test
    void aLinkThatGoesSilentMidPushEndsThePushAtItsDeadline() throws IOException, InterruptedException {
        Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
        link.silenceAtNextPush();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(LIMIT, "describe").run(
                () -> adb.push(source, DIR + "/model.bin", TransferListener.NONE)))
                .isInstanceOf(FastVlmTimeoutException.class)
                .hasMessageContaining("describe did not finish within 2000 ms");
        assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 50, WITH_MARGIN.toMillis());
        assertThat(link.awaitSilence(Duration.ZERO)).as("the push went silent").isTrue();
        assertThat(device.hostPath(DIR + "/model.bin")).doesNotExist();
    }

    @Test
    void a300BytesPerSecondLinkEndsAPullAtItsDeadline() throws IOException {
        Path onDevice = device.hostPath(DIR + "/out.raw");
        TestSupport.randomFile(onDevice, 100_000);
        link.throttleDevice(300);
        long start = System.nanoTime();
        assertThatThrownBy(() -> Deadline.after(LIMIT, "describe").call(() -> adb.read(DIR + "/out.raw", 200_000)))
                .isInstanceOf(FastVlmTimeoutException.class)
                .hasMessageContaining("describe did not finish within 2000 ms");
        assertThat(millisSince(start)).isBetween(LIMIT.toMillis() - 50, WITH_MARGIN.toMillis());

        link.throttleDevice(0);
        assertThat(adb.read(DIR + "/out.raw", 200_000)).as("the next pull works").isEqualTo(Files.readAllBytes(onDevice));
    }

    @Test
    void anInterruptedPushOnASilentLinkEndsWithinASecond() throws Exception {
        Path source = TestSupport.randomFile(host.resolve("model.bin"), 3_000_000);
        link.silenceAtNextPush();
        Thread caller = Thread.currentThread();
        ScheduledExecutorService interrupter = Executors.newSingleThreadScheduledExecutor();
        try {
            interrupter.execute(() -> {
                try {
                    if (link.awaitSilence(Duration.ofSeconds(30))) {
                        Thread.sleep(200);
                        caller.interrupt();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> adb.push(source, DIR + "/model.bin", TransferListener.NONE))
                    .isInstanceOf(CancelledException.class);
            assertThat(Thread.interrupted()).as("the interrupt is kept").isTrue();
            assertThat(link.awaitSilence(Duration.ZERO)).as("the push went silent").isTrue();
            assertThat(millisSince(start)).as("the silence, 200 ms, then the cancel's second").isLessThan(5000);
        } finally {
            interrupter.shutdownNow();
        }
    }
}

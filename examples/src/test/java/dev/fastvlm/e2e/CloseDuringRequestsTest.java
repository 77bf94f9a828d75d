package dev.fastvlm.e2e;

import dev.fastvlm.CancelledException;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.model.EmulatedBundle.VisionPrecision;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link FastVlm#close()} from another thread at random moments of running requests: the JVM
 * survives (the native tokenizer is never freed under an encode), every request ends with an
 * answer or a {@link CancelledException}, and nothing stays on the device or in threads. Eight
 * callers per instance, seven of them through {@link FastVlm#describeAsync} (interrupted by close()
 * wherever they are), so that each instance, whose build loads two native tokenizers, serves more
 * of the 200 requests.
 */
class CloseDuringRequestsTest {

    private static final int REQUESTS = 200;
    private static final int CALLERS = 8;
    /** close() comes at a random moment of this many first milliseconds of an instance's requests. */
    private static final int CLOSE_WITHIN_MILLIS = 1500;

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void closeAtRandomPointsOfRequests() throws Exception {
        Path sdk = EmulatedSdk.write(dir.resolve("sdk"));
        Path bundle = EmulatedBundle.write(dir.resolve("bundle"), 56, VisionPrecision.INT8);
        Path image = TwoColourImages.write(dir.resolve("red-blue.png"), Color.RED, Color.BLUE);
        Random random = new Random(23);
        AtomicInteger started = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger cancelled = new AtomicInteger();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        try (DeviceEmulator emulator = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(dir.resolve("adbkey.pub")).build())) {
            while (started.get() < REQUESTS) {
                FastVlm vlm = FastVlm.builder()
                        .device(AdbTransport.direct("127.0.0.1", emulator.port(), dir.resolve("adbkey")))
                        .models(bundle)
                        .runtime(QairtRuntime.of(sdk))
                        .generation(GenerationOptions.builder().maxNewTokens(8).build())
                        .build();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> callers = new ArrayList<>();
                for (int c = 0; c < CALLERS; c++) {
                    // One caller waits in describe(): close() lets its request finish. The others use
                    // describeAsync(): close() interrupts theirs wherever they are.
                    boolean async = c > 0;
                    Thread caller = new Thread(() -> {
                        try {
                            go.await();
                            while (started.incrementAndGet() <= REQUESTS) {
                                try {
                                    Description answer = async
                                            ? describeAsync(vlm, image)
                                            : vlm.describe(ImageInput.of(image), "Describe the image.");
                                    assertThat(answer.text()).isNotBlank();
                                    answered.incrementAndGet();
                                } catch (CancelledException e) {
                                    cancelled.incrementAndGet();
                                    return;
                                }
                            }
                        } catch (Throwable t) {
                            unexpected.add(t);
                        }
                    }, "test-caller-" + c);
                    caller.start();
                    callers.add(caller);
                }
                go.countDown();
                // Anywhere from before the first request's tokenizing to the decoder of a later one.
                Thread.sleep(random.nextInt(CLOSE_WITHIN_MILLIS));
                Thread closer = new Thread(vlm::close, "test-closer");
                closer.start();
                closer.join(TimeUnit.MINUTES.toMillis(1));
                assertThat(closer.isAlive()).as("close() returned").isFalse();
                for (Thread caller : callers) {
                    caller.join(TimeUnit.MINUTES.toMillis(1));
                    assertThat(caller.isAlive()).as(caller.getName() + " ended").isFalse();
                }
                assertThat(requestDirectories(emulator)).as("request directories after close").isEmpty();
            }
        }
        assertThat(unexpected).as("requests ending other than with an answer or CancelledException").isEmpty();
        assertThat(answered.get() + cancelled.get()).isGreaterThan(0);
        assertThat(answered.get()).as("some requests finish before close").isPositive();
        assertThat(cancelled.get()).as("some requests meet a closed instance").isPositive();
        assertThat(libraryThreads()).as("fastvlm threads after close").isEmpty();
    }

    /** A request through describeAsync, its CancelledException unwrapped from the future's failure. */
    private static Description describeAsync(FastVlm vlm, Path image) throws Exception {
        Future<Description> answer = vlm.describeAsync(ImageInput.of(image), "Describe the image.", null);
        try {
            return answer.get(1, TimeUnit.MINUTES);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CancelledException cancelled) {
                throw cancelled;
            }
            throw e;
        }
    }

    /** The library's own threads (the emulator's are the test's device, not the library's). */
    private static List<String> libraryThreads() throws InterruptedException {
        List<String> alive = List.of();
        for (int attempt = 0; attempt < 50; attempt++) {
            alive = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                    .filter(name -> name.startsWith("fastvlm-") && !name.startsWith("fastvlm-emulat"))
                    .toList();
            if (alive.isEmpty()) {
                break;
            }
            Thread.sleep(100);
        }
        return alive;
    }

    private static List<Path> requestDirectories(DeviceEmulator emulator) throws IOException {
        Path requests = emulator.hostPath(QairtRuntime.DEFAULT_DEVICE_DIRECTORY + "/requests");
        if (!Files.isDirectory(requests)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(requests)) {
            return entries.toList();
        }
    }
}

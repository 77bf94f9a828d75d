package dev.fastvlm.core.pipeline;

import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.transport.TransferListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** When finished requests' directories go: with the device's next program, after the idle delay, by close(). */
class DeferredRemovalTest {

    private static final Duration NEVER = Duration.ofMinutes(10);
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private final LocalTransport device = LocalTransport.create();

    @AfterEach
    void closeDevice() {
        device.close();
    }

    /** A request directory with a file in it, as a finished request leaves it. */
    private RequestDirectory finishedRequest() {
        RequestDirectory work = RequestDirectory.reserve(device, dir.resolve("requests").toString());
        device.write(work.resolve("pixel_values.raw"), 3, out -> out.write(new byte[] {1, 2, 3}), TransferListener.NONE);
        assertThat(Path.of(work.path())).isDirectory();
        return work;
    }

    private static void awaitGone(RequestDirectory work) throws InterruptedException {
        Path path = Path.of(work.path());
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Files.exists(path) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(path).doesNotExist();
    }

    @Test
    void releasedDirectoriesStayUntilTheDeviceRunsItsNextProgram() throws InterruptedException {
        try (DeferredRemoval removal = new DeferredRemoval(NEVER, CLOSE_WAIT)) {
            RequestDirectory first = finishedRequest();
            RequestDirectory second = finishedRequest();
            removal.release(first);
            removal.release(second);
            Thread.sleep(100);
            assertThat(Path.of(first.path())).as("nothing removes it before the device is busy or idle").isDirectory();

            removal.deviceBusy();
            awaitGone(first);
            awaitGone(second);
        }
    }

    @Test
    void withoutAnotherRequestADirectoryGoesAfterTheIdleDelay() throws InterruptedException {
        try (DeferredRemoval removal = new DeferredRemoval(Duration.ofMillis(50), CLOSE_WAIT)) {
            RequestDirectory work = finishedRequest();
            removal.release(work);
            awaitGone(work);
        }
    }

    @Test
    void closeRemovesWhatIsLeftWithoutWaitingForTheIdleTimer() {
        RequestDirectory work = finishedRequest();
        DeferredRemoval removal = new DeferredRemoval(NEVER, CLOSE_WAIT);
        removal.release(work);
        long start = System.nanoTime();
        removal.close();
        assertThat(Path.of(work.path())).doesNotExist();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(CLOSE_WAIT.dividedBy(2));
        removal.close();
    }

    @Test
    void aKeptDirectoryIsLeftOnTheDevice() {
        RequestDirectory work = finishedRequest().keep();
        try (DeferredRemoval removal = new DeferredRemoval(NEVER, CLOSE_WAIT)) {
            removal.deviceBusy();
            removal.release(work);
        }
        assertThat(Path.of(work.path())).isDirectory();
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.DeviceToolException;
import dev.fastvlm.Stage;
import dev.fastvlm.core.device.RequestDirectory;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What the engines of one request work with: the request's counting view of the device, its stage
 * clock, its private device directory, and its time limit. Made by the pipeline for each request
 * while it holds the device's lock. The directory is reserved on the device when an engine first
 * names a file in it: a request whose engines all run in this process reserves none.
 */
final class RequestWork {

    private final CountingTransport device;
    private final StageClock clock;
    private final Supplier<RequestDirectory> reserve;
    private RequestDirectory directory;
    private final String deviceDir;
    private final Duration requestTimeout;
    private final DeferredRemoval cleaner;

    RequestWork(CountingTransport device, StageClock clock, Supplier<RequestDirectory> reserve, String deviceDir,
                Duration requestTimeout, DeferredRemoval cleaner) {
        this.device = device;
        this.clock = clock;
        this.reserve = reserve;
        this.deviceDir = deviceDir;
        this.requestTimeout = requestTimeout;
        this.cleaner = cleaner;
    }

    CountingTransport device() {
        return device;
    }

    StageClock clock() {
        return clock;
    }

    /** The absolute device path of {@code name} in this request's own directory, reserved on first use. */
    String file(String name) {
        if (directory == null) {
            directory = reserve.get();
        }
        return directory.resolve(name);
    }

    /** {@return the request's device directory, if an engine asked for one} */
    Optional<RequestDirectory> reserved() {
        return Optional.ofNullable(directory);
    }

    /** The directory synced model and SDK files are in. */
    String deviceDir() {
        return deviceDir;
    }

    /** What is left of the request's limit, for a device program's own timeout. */
    Duration remaining() {
        return Deadline.cap(requestTimeout);
    }

    /** Runs a device program as {@code stage}; the deferred remover then waits for it to end first. */
    CommandResult run(Stage stage, DeviceCommand command, dev.fastvlm.transport.OutputListener output) {
        cleaner.deviceBusy();
        return clock.time(stage, () -> device.run(command, output));
    }

    /**
     * Runs one context binary with {@code qnn-net-run} and reads its output into memory.
     *
     * @param stage the stage the program's run is timed as
     * @param pull the stage the output's read is timed as
     * @param name the request-relative name of the output directory
     */
    RawOutput runGraph(Stage stage, Stage pull, String name, String contextBinary, String inputList,
                       dev.fastvlm.genie.qnn.TensorSpec output) {
        String outputDir = file(name);
        DeviceCommand command = DeviceTools.qnnNetRun(deviceDir, contextBinary, inputList, outputDir, remaining());
        StdoutTail stdout = new StdoutTail();
        CommandResult result = run(stage, command, stdout);
        if (!result.succeeded()) {
            throw new DeviceToolException(QairtSdk.QNN_NET_RUN, result.exitCode(), result.stderrTail(), stdout.text());
        }
        String file = outputDir + "/Result_0/" + output.nativeOutputFileName();
        byte[] data = clock.time(pull, () -> device.read(file, (int) Math.min(output.byteSize(), Integer.MAX_VALUE)));
        return new RawOutput(ByteBuffer.wrap(data), name + " output " + file + " on " + device.target());
    }

    /** A device program's output, read into memory, and what to call it in messages. */
    record RawOutput(ByteBuffer data, String source) {
    }
}

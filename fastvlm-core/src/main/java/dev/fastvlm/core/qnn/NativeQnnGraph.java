package dev.fastvlm.core.qnn;

import com.sun.jna.Function;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One graph of a QNN context binary, loaded into this process through the QNN C API (JNA), and
 * executed as often as needed: where {@code qnn-net-run} loads the context on every run and goes
 * through files, this loads it once and runs it on the caller's buffers.
 *
 * <pre>{@code
 * try (NativeQnnGraph encoder = NativeQnnGraph.open(sdkLib.resolve("libQnnHtp.so"),
 *         sdkLib.resolve("libQnnSystem.so"), Path.of("vision_encoder.bin"), expectedGraph)) {
 *     encoder.execute(List.of(pixels), List.of(features));   // direct buffers, exact sizes
 * }
 * }</pre>
 *
 * <p>{@link #open} loads {@code libQnnHtp.so} and {@code libQnnSystem.so}, checks their API
 * versions, reads the graph's tensors (names, types, shapes, quantization) from the binary itself
 * through the system interface and requires them to equal {@code expected} (the bundle's
 * context-info JSON), then creates the backend, the device and the context from the
 * memory-mapped binary (not copied onto the heap) and retrieves the graph. {@link #execute} passes
 * the caller's direct buffers as the tensors' client buffers. Errors are {@link QnnException}s
 * with QNN's code and name. Executions on one instance run one at a time (QNN queues them anyway);
 * {@link #close()} frees the context, device and backend, waiting for a running execution.
 */
public final class NativeQnnGraph implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(NativeQnnGraph.class);
    /** {@code QNN_COMMON_ERROR_NOT_SUPPORTED}: a backend without devices; the context then takes NULL. */
    private static final int NOT_SUPPORTED = 1000;

    private final QnnApi core;
    private final QnnGraph graph;
    private final ReentrantLock executions = new ReentrantLock();
    /** Kept reachable while the context lives: QNN may read the binary after contextCreateFromBinary. */
    private MappedByteBuffer binary;
    private final List<Memory> tensorMemory = new ArrayList<>();
    private Memory inputs;
    private Memory outputs;
    private Pointer backend;
    private Pointer device;
    private Pointer context;
    private Pointer graphHandle;
    private Duration loadTime = Duration.ZERO;
    private boolean closed;

    private NativeQnnGraph(QnnApi core, QnnGraph graph) {
        this.core = core;
        this.graph = graph;
    }

    /**
     * Loads the libraries and the context binary, and retrieves the graph named as {@code expected}.
     *
     * @param libQnnHtp the HTP backend library
     * @param libQnnSystem the QNN system library (reads the binary's metadata)
     * @param contextBinary the context binary, memory-mapped
     * @param expected the graph as the bundle's context-info JSON describes it
     * @return the loaded graph; close it to free QNN's handles
     * @throws ModelArtifactException a library or the binary is missing or unusable, an API version is
     *     not one this binding speaks, or the binary's graph differs from {@code expected}
     * @throws QnnException           a QNN call failed
     */
    public static NativeQnnGraph open(Path libQnnHtp, Path libQnnSystem, Path contextBinary, QnnGraph expected) {
        QnnApi system = QnnApi.system(libQnnSystem);
        QnnApi core = QnnApi.core(libQnnHtp);
        MappedByteBuffer binary = map(contextBinary);
        QnnTensors.Graph found = readGraph(system, binary, contextBinary, expected.name());
        if (!found.spec().equals(expected)) {
            throw new ModelArtifactException(contextBinary + " holds graph " + found.spec() + ", but its context-info"
                    + " JSON describes " + expected + ": the JSON does not belong to this binary");
        }
        NativeQnnGraph instance = new NativeQnnGraph(core, found.spec());
        try {
            instance.load(binary, contextBinary, found);
        } catch (RuntimeException | Error e) {
            instance.close();
            throw e;
        }
        return instance;
    }

    private static MappedByteBuffer map(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0 || size > Integer.MAX_VALUE) {
                throw new ModelArtifactException(file + " is " + size + " bytes; a context binary this engine maps"
                        + " must be 1 byte to 2 GiB - 1");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read the context binary " + file + ": " + e.getMessage(), e);
        }
    }

    /** The graph as the binary's own metadata (system interface) describes it. */
    private static QnnTensors.Graph readGraph(QnnApi system, MappedByteBuffer binary, Path file, String name) {
        Function create = system.function("systemContextCreate", QnnApi.SystemSlot.systemContextCreate.slot);
        Function free = system.function("systemContextFree", QnnApi.SystemSlot.systemContextFree.slot);
        PointerByReference handle = new PointerByReference();
        check("systemContextCreate", create.invokeLong(new Object[] {handle}), "");
        Pointer systemContext = handle.getValue();
        try {
            Pointer buffer = Native.getDirectBufferPointer(binary);
            PointerByReference info = new PointerByReference();
            if (system.has(QnnApi.SystemSlot.systemContextGetMetaData.slot)) {
                check("systemContextGetMetaData", system.function("systemContextGetMetaData",
                        QnnApi.SystemSlot.systemContextGetMetaData.slot).invokeLong(new Object[] {systemContext, buffer,
                        (long) binary.capacity(), info}), file.toString());
            } else {
                check("systemContextGetBinaryInfo", system.function("systemContextGetBinaryInfo",
                        QnnApi.SystemSlot.systemContextGetBinaryInfo.slot).invokeLong(new Object[] {systemContext,
                        buffer, (long) binary.capacity(), info, new LongByReference()}), file.toString());
            }
            if (info.getValue() == null) {
                throw new ModelArtifactException(system.path() + " returned no binary info for " + file);
            }
            List<QnnTensors.Graph> graphs = QnnTensors.graphs(info.getValue(), file.toString());
            return graphs.stream().filter(g -> g.spec().name().equals(name)).findFirst()
                    .orElseThrow(() -> new ModelArtifactException(file + " has no graph " + name + "; it holds "
                            + graphs.stream().map(g -> g.spec().name()).toList()));
        } finally {
            long error = free.invokeLong(new Object[] {systemContext});
            if (error != 0) {
                LOG.warn("systemContextFree failed with {} ({})", QnnException.codeName(QnnException.code(error)),
                        QnnException.code(error));
            }
        }
    }

    private void load(MappedByteBuffer mapped, Path file, QnnTensors.Graph found) {
        long started = System.nanoTime();
        PointerByReference handle = new PointerByReference();
        check("backendCreate", core.function("backendCreate", QnnApi.Core.backendCreate.slot)
                .invokeLong(new Object[] {null, null, handle}), core.toString());
        backend = handle.getValue();
        long error = core.function("deviceCreate", QnnApi.Core.deviceCreate.slot)
                .invokeLong(new Object[] {null, null, handle});
        if (error == 0) {
            device = handle.getValue();
        } else if (QnnException.code(error) != NOT_SUPPORTED) {
            throw new QnnException("deviceCreate", error, core.toString());
        }
        binary = mapped;
        check("contextCreateFromBinary", core.function("contextCreateFromBinary",
                QnnApi.Core.contextCreateFromBinary.slot).invokeLong(new Object[] {backend, device, null,
                Native.getDirectBufferPointer(mapped), (long) mapped.capacity(), handle, null}), file.toString());
        context = handle.getValue();
        check("graphRetrieve", core.function("graphRetrieve", QnnApi.Core.graphRetrieve.slot)
                .invokeLong(new Object[] {context, graph.name(), handle}), graph.name() + " in " + file);
        graphHandle = handle.getValue();
        inputs = QnnTensors.executeArray(found.inputs(), tensorMemory);
        outputs = QnnTensors.executeArray(found.outputs(), tensorMemory);
        loadTime = Duration.ofNanos(System.nanoTime() - started);
        LOG.info("QNN context {} loaded in process through {} in {} ms", file, core, loadTime.toMillis());
    }

    /** {@return the graph: its name and tensors, as the binary describes them} */
    public QnnGraph graph() {
        return graph;
    }

    /** {@return the HTP provider's core API version, e.g. {@code 2.29.0}} */
    public String apiVersion() {
        return core.version();
    }

    /** {@return how long creating the backend, device and context and retrieving the graph took} */
    public Duration loadTime() {
        return loadTime;
    }

    /**
     * Runs the graph once: each input tensor reads the corresponding buffer and each output tensor
     * writes into its buffer (client buffers: no copy). Buffers must be direct and hold exactly the
     * tensor's byte size from position 0 to their capacity.
     *
     * @param inputBuffers one per graph input, in the graph's order
     * @param outputBuffers one per graph output, in the graph's order
     * @throws InvalidInputException a buffer is missing, not direct or of the wrong size
     * @throws QnnException          graphExecute failed
     * @throws CancelledException    the calling thread was interrupted while waiting for a running execution
     */
    public void execute(List<ByteBuffer> inputBuffers, List<ByteBuffer> outputBuffers) {
        checkBuffers("input", inputBuffers, graph.inputs());
        checkBuffers("output", outputBuffers, graph.outputs());
        try {
            executions.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("cancelled while waiting for the in-process QNN graph " + graph.name(), e);
        }
        try {
            if (closed) {
                throw new FastVlmException("this NativeQnnGraph (" + graph.name() + ") is closed");
            }
            for (int i = 0; i < inputBuffers.size(); i++) {
                QnnTensors.setClientBuffer(inputs, i, Native.getDirectBufferPointer(inputBuffers.get(i)),
                        inputBuffers.get(i).capacity());
            }
            for (int i = 0; i < outputBuffers.size(); i++) {
                QnnTensors.setClientBuffer(outputs, i, Native.getDirectBufferPointer(outputBuffers.get(i)),
                        outputBuffers.get(i).capacity());
            }
            try {
                check("graphExecute", core.function("graphExecute", QnnApi.Core.graphExecute.slot).invokeLong(
                        new Object[] {graphHandle, inputs, inputBuffers.size(), outputs, outputBuffers.size(), null,
                                null}), graph.name());
            } finally {
                // the buffers belong to the caller: no pointer to them outlives this call
                for (int i = 0; i < inputBuffers.size(); i++) {
                    QnnTensors.setClientBuffer(inputs, i, null, 0);
                }
                for (int i = 0; i < outputBuffers.size(); i++) {
                    QnnTensors.setClientBuffer(outputs, i, null, 0);
                }
            }
        } finally {
            executions.unlock();
        }
    }

    private static void checkBuffers(String what, List<ByteBuffer> buffers, List<TensorSpec> tensors) {
        if (buffers.size() != tensors.size()) {
            throw new InvalidInputException(buffers.size() + " " + what + " buffers for " + tensors.size() + " "
                    + what + " tensors " + tensors.stream().map(TensorSpec::name).toList());
        }
        for (int i = 0; i < buffers.size(); i++) {
            ByteBuffer b = buffers.get(i);
            TensorSpec t = tensors.get(i);
            if (!b.isDirect() || b.capacity() != t.byteSize()) {
                throw new InvalidInputException("the " + what + " buffer of tensor " + t.name() + " must be direct and "
                        + t.byteSize() + " bytes (" + t.dataType().qnnName() + " " + t.dimensions() + "); it is "
                        + (b.isDirect() ? "" : "not direct and ") + b.capacity() + " bytes");
            }
        }
    }

    /** Frees the context (and with it the graph), the device and the backend; safe to call twice. */
    @Override
    public void close() {
        executions.lock();
        try {
            closed = true;
            if (context != null) {
                logFailure("contextFree", core.function("contextFree", QnnApi.Core.contextFree.slot)
                        .invokeLong(new Object[] {context, null}));
                context = null;
                graphHandle = null;
            }
            if (device != null) {
                logFailure("deviceFree", core.function("deviceFree", QnnApi.Core.deviceFree.slot)
                        .invokeLong(new Object[] {device}));
                device = null;
            }
            if (backend != null) {
                logFailure("backendFree", core.function("backendFree", QnnApi.Core.backendFree.slot)
                        .invokeLong(new Object[] {backend}));
                backend = null;
            }
            binary = null;
            tensorMemory.forEach(Memory::close);
            tensorMemory.clear();
            if (inputs != null) {
                inputs.close();
                outputs.close();
            }
        } finally {
            executions.unlock();
        }
    }

    private static void check(String function, long error, String context) {
        if (error != 0) {
            throw new QnnException(function, error, context);
        }
    }

    private static void logFailure(String function, long error) {
        if (error != 0) {
            LOG.warn("{} failed with {} ({})", function, QnnException.codeName(QnnException.code(error)),
                    QnnException.code(error));
        }
    }
}

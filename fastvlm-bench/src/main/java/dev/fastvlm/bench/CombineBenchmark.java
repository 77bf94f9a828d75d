package dev.fastvlm.bench;

import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.TextEmbeddings;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.core.tensor.Dequantizer;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The seed's step 7 at FastVLM's size (256 uint8 vision rows of 896, 40 of 512 text embedder rows;
 * {@code scale=1}) and four times larger ({@code scale=4}), against two baselines measured in the
 * same run: a straightforward per-element {@link ByteBuffer} loop, and a plain copy of the same
 * number of output bytes (the memory-bandwidth bound). {@code scripts/compare_numpy.py} runs the
 * seed's numpy code on the same sizes and prints the ratio.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CombineBenchmark {
    static final int WIDTH = 896;
    static final int VISION_ROWS = 256;
    static final int TEXT_TOKENS = 40;
    static final int CACHE_LEN = 512;
    static final float SCALE = 0.0123456789f;
    static final int OFFSET = -128;

    @Param({"1", "4"})
    public int scale;

    private TensorSpec visionSpec;
    private ByteBuffer visionBytes;
    private VisionEmbeddings vision;
    private TextEmbeddings text;
    private ByteBuffer textBytes;
    private int textTokens;
    private ByteBuffer destination;
    private ByteBuffer directDestination;
    private Path directory;
    private VisionEmbeddings mappedVision;
    private TextEmbeddings mappedText;
    private ByteBuffer copySource;
    private float[] dequantized;
    private final OutputStream sink = new OutputStream() {
        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    };

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(42);
        int visionRows = VISION_ROWS * scale;
        int cacheLen = CACHE_LEN * scale;
        textTokens = TEXT_TOKENS * scale;
        visionSpec = new TensorSpec("image_features", QnnDataType.UFIXED_POINT_8, List.of(1, visionRows, WIDTH),
                Optional.of(Quantization.perTensor(SCALE, OFFSET)));
        visionBytes = ByteBuffer.allocate(visionRows * WIDTH).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < visionBytes.capacity(); i++) {
            visionBytes.put(i, (byte) random.nextInt(256));
        }
        textBytes = ByteBuffer.allocate(cacheLen * WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < cacheLen * WIDTH; i++) {
            textBytes.putFloat(4 * i, (float) random.nextDouble(-1, 1));
        }
        vision = VisionEmbeddings.of(visionBytes, visionSpec, "vision");
        text = TextEmbeddings.fromEmbedderOutput(textBytes, new TensorSpec("output_0", QnnDataType.FLOAT_32,
                List.of(1, cacheLen, WIDTH), Optional.empty()), textTokens, "text");
        long bytes = 4L * (visionRows + textTokens) * WIDTH;
        destination = ByteBuffer.allocate((int) bytes);
        copySource = ByteBuffer.allocate((int) bytes);
        dequantized = new float[visionRows * WIDTH];
        directDestination = ByteBuffer.allocateDirect((int) bytes);
        try {
            directory = Files.createTempDirectory("combine-bench");
            Path visionFile = directory.resolve("image_features_native.raw");
            Path textFile = directory.resolve("output_0.raw");
            try (FileChannel channel = FileChannel.open(Files.createFile(visionFile), StandardOpenOption.WRITE)) {
                channel.write(visionBytes.duplicate().clear());
            }
            try (FileChannel channel = FileChannel.open(Files.createFile(textFile), StandardOpenOption.WRITE)) {
                channel.write(textBytes.duplicate().clear());
            }
            mappedVision = VisionEmbeddings.of(visionFile, visionSpec);
            mappedText = TextEmbeddings.fromEmbedderOutput(textFile, new TensorSpec("output_0", QnnDataType.FLOAT_32,
                    List.of(1, cacheLen, WIDTH), Optional.empty()), textTokens);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @TearDown
    public void tearDown() throws IOException {
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(directory);
    }

    /** Dequantization alone, into a float array. */
    @Benchmark
    public float[] dequantize() {
        Dequantizer.of(visionSpec).dequantize(visionBytes, 0, 0, dequantized, 0, dequantized.length);
        return dequantized;
    }

    /** Dequantize, splice and write little-endian float32 into a heap buffer: the library path. */
    @Benchmark
    public ByteBuffer combineIntoBuffer() {
        destination.clear();
        CombinedEmbeddings.builder().vision(vision).text(text).build().writeTo(destination);
        return destination;
    }

    /** The same into an output stream, as a device push consumes it. */
    @Benchmark
    public OutputStream combineIntoStream() throws IOException {
        CombinedEmbeddings.builder().vision(vision).text(text).build().writeTo(sink);
        return sink;
    }

    /** The same into a direct buffer (memory outside the heap, e.g. for native code). */
    @Benchmark
    public ByteBuffer combineIntoDirectBuffer() {
        directDestination.clear();
        CombinedEmbeddings.builder().vision(vision).text(text).build().writeTo(directDestination);
        return directDestination;
    }

    /**
     * The CLI's path: both inputs memory-mapped from files (warm page cache), written into a
     * stream (here one that discards, so the file system's cost stays out).
     */
    @Benchmark
    public OutputStream combineMappedFilesIntoStream() throws IOException {
        CombinedEmbeddings.builder().vision(mappedVision).text(mappedText).build().writeTo(sink);
        return sink;
    }

    /** Baseline: the obvious per-element loop over ByteBuffers. */
    @Benchmark
    public ByteBuffer baselinePerElementLoop() {
        ByteBuffer out = destination.clear().order(ByteOrder.LITTLE_ENDIAN);
        int visionElements = visionBytes.capacity();
        for (int i = 0; i < visionElements; i++) {
            out.putFloat(((float) (visionBytes.get(i) & 0xff) + OFFSET) * SCALE);
        }
        int textElements = textTokens * WIDTH;
        for (int i = 0; i < textElements; i++) {
            out.putFloat(textBytes.getFloat(4 * i));
        }
        return out;
    }

    /** Baseline: copying as many bytes as the combined sequence has; the bandwidth bound. */
    @Benchmark
    public ByteBuffer baselinePlainCopy() {
        destination.clear();
        destination.put(copySource.clear());
        return destination;
    }
}

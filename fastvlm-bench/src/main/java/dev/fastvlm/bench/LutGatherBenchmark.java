package dev.fastvlm.bench;

import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.genie.qnn.QnnDataType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Gathering text rows from a FastVLM-sized float32 LUT ({@code 151936 x 896}, 545 MB) through the
 * memory map, with a warm page cache (the table is read once at setup): the gather plus writing the
 * rows as float32, for 40 and 400 token ids.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class LutGatherBenchmark {
    static final int VOCAB = 151_936;
    static final int WIDTH = 896;

    @Param({"40", "400"})
    public int ids;

    private Path dir;
    private EmbeddingTable table;
    private int[] tokenIds;
    private ByteBuffer destination;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("lut-bench");
        Path lut = dir.resolve("LUT.bin");
        SplittableRandom random = new SplittableRandom(7);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(lut)) {
            long remaining = (long) VOCAB * WIDTH * 4;
            while (remaining > 0) {
                for (int i = 0; i < chunk.length; i += 8) {
                    long bits = random.nextLong();
                    for (int b = 0; b < 8; b++) {
                        chunk[i + b] = (byte) (bits >>> (8 * b));
                    }
                }
                int n = (int) Math.min(chunk.length, remaining);
                out.write(chunk, 0, n);
                remaining -= n;
            }
        }
        table = EmbeddingTable.open(lut, WIDTH, QnnDataType.FLOAT_32, Optional.empty());
        tokenIds = new int[ids];
        for (int i = 0; i < ids; i++) {
            tokenIds[i] = random.nextInt(VOCAB);
        }
        destination = ByteBuffer.allocate(ids * WIDTH * 4).order(ByteOrder.LITTLE_ENDIAN);
        // Warm the page cache and the mapping for the rows the benchmark reads.
        table.gather(tokenIds).writeTo(destination.clear());
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        table = null;
        Files.deleteIfExists(dir.resolve("LUT.bin"));
        Files.deleteIfExists(dir);
    }

    @Benchmark
    public ByteBuffer gatherAndWrite() {
        destination.clear();
        table.gather(tokenIds).writeTo(destination);
        return destination;
    }
}

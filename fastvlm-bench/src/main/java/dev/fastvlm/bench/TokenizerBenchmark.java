package dev.fastvlm.bench;

import dev.fastvlm.ImageLayout;
import dev.fastvlm.core.text.EncodedPrompt;
import dev.fastvlm.core.text.IncrementalDecoder;
import dev.fastvlm.core.text.PromptOptions;
import dev.fastvlm.core.text.PromptTokenizer;
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
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Tokenizer load time (once per {@code FastVlm} instance) and per-prompt encode and decode times.
 * Run from the repository root so that the default {@code tokenizer} parameter, fastvlm-core's
 * gzipped Qwen2 fixture, resolves; or pass {@code -p tokenizer=DIR} with a tokenizer directory.
 */
@State(Scope.Benchmark)
public class TokenizerBenchmark {

    private static final String SHORT = "Describe this image in detail. What objects are there, and what are they doing?";

    @Param("fastvlm-core/src/test/resources/qwen2-tokenizer")
    public String tokenizer;

    private Path dir;
    private Path unpacked;
    private PromptTokenizer loaded;
    private String longPrompt;
    private int[] generated;
    private final PromptOptions prepend = PromptOptions.defaults();
    private final PromptOptions placeholder = PromptOptions.builder().layout(ImageLayout.PLACEHOLDER).build();
    private final PromptOptions literal = PromptOptions.builder().literalUserText(true).build();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Path.of(tokenizer);
        Path gz = dir.resolve("tokenizer.json.gz");
        if (Files.isRegularFile(gz)) {
            unpacked = Files.createTempDirectory("bench-tokenizer");
            try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
                Files.copy(in, unpacked.resolve("tokenizer.json"));
            }
            Files.copy(dir.resolve("tokenizer_config.json"), unpacked.resolve("tokenizer_config.json"));
            dir = unpacked;
        }
        loaded = PromptTokenizer.load(dir);
        StringBuilder text = new StringBuilder();
        while (text.length() < 2000) {
            text.append("The quick brown fox jumps over the lazy dog; façade, 東京, naïve 42. ");
        }
        longPrompt = text.substring(0, 2000);
        generated = loaded.encodeText("A cat sits on a red sofa next to a window 🐈. Outside it is raining; 東京 is grey. ".repeat(4));
        loaded.encode(SHORT, literal);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        loaded.close();
        if (unpacked != null) {
            try (Stream<Path> files = Files.walk(unpacked)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    /** Loading tokenizer.json (11 MB for Qwen2) and the chat template. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public int load() {
        try (PromptTokenizer fresh = PromptTokenizer.load(dir)) {
            return fresh.padId();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public EncodedPrompt encodeShortPrepend() {
        return loaded.encode(SHORT, prepend);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public EncodedPrompt encodeShortPlaceholder() {
        return loaded.encode(SHORT, placeholder);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public EncodedPrompt encodeShortLiteral() {
        return loaded.encode(SHORT, literal);
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public EncodedPrompt encode2000Chars() {
        return loaded.encode(longPrompt, prepend);
    }

    /** Streaming decode of about 100 generated ids, one push per id. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public void decodeIncremental(Blackhole bh) {
        IncrementalDecoder decoder = loaded.incrementalDecoder(true);
        for (int id : generated) {
            bh.consume(decoder.push(id));
        }
        bh.consume(decoder.finish());
    }
}

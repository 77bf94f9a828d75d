package dev.fastvlm.bench;

import dev.fastvlm.Description;
import dev.fastvlm.StageTiming;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-request figures of one {@link DescribeBenchmark} trial, written as long-format CSV
 * ({@code image,width,request,key,value}) to {@code describe-<image>-w<width>.csv}. Keys are stage
 * names (nanoseconds), {@code wall} (nanoseconds around the whole describe call) and byte counts;
 * {@code request} is {@code setup}, {@code first} (the request that syncs the model) or the number
 * of a measured request.
 */
final class StageLog {

    /** Where the CSV files go: {@code -Dfastvlm.bench.out=DIR}, else {@code fastvlm-bench/target/describe-stages}. */
    static final String OUTPUT_PROPERTY = "fastvlm.bench.out";

    private final String image;
    private final int width;
    private final List<String> rows = new ArrayList<>();
    private int requests;

    StageLog(String image, int width) {
        this.image = image;
        this.width = width;
    }

    static Path outputDirectory() {
        return Path.of(System.getProperty(OUTPUT_PROPERTY, "fastvlm-bench/target/describe-stages"));
    }

    String nextRequest() {
        return Integer.toString(++requests);
    }

    void record(String request, String key, long value) {
        rows.add(image + "," + width + "," + request + "," + key + "," + value);
    }

    void record(String request, Description d) {
        for (StageTiming stage : d.stats().stages()) {
            record(request, stage.stage().id(), stage.elapsed().toNanos());
        }
        record(request, "model-bytes-pushed", d.stats().modelBytesPushed());
        record(request, "request-bytes-pushed", d.stats().requestBytesPushed());
        record(request, "bytes-pulled", d.stats().bytesPulled());
    }

    /** Writes the CSV under a temporary name, then moves it into place. */
    Path writeTo(Path directory) {
        try {
            Files.createDirectories(directory);
            Path file = directory.resolve("describe-" + image + "-w" + width + ".csv");
            Path temp = Files.createTempFile(directory, ".describe-", ".tmp");
            List<String> lines = new ArrayList<>(rows.size() + 1);
            lines.add("image,width,request,key,value");
            lines.addAll(rows);
            Files.write(temp, lines, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the stage log to " + directory, e);
        }
    }
}

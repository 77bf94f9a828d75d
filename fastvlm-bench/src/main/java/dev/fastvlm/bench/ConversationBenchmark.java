package dev.fastvlm.bench;

import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.DecoderEngine;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.core.local.LocalTransport;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import dev.fastvlm.transport.TransportCapability;
import dev.fastvlm.transport.Upload;
import org.openjdk.jmh.annotations.AuxCounters;
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

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A five-question {@link Conversation} about one image on {@link LocalTransport}, with Genie as a
 * {@code genie-t2t-run} program per question ({@code PROCESS}) or kept in this JVM
 * ({@code IN_PROCESS}); both are the stand-in Genie of fastvlm-core's test sources, the vision
 * encoder the emulated SDK's {@code qnn-net-run}. Besides the time, it reports per question
 * ({@code q1..q5}) the device programs the question's thread launched (housekeeping scripts,
 * {@code qnn-net-run}, {@code genie-t2t-run}), the bytes it pushed, and the prompt tokens the
 * decoder processed (Genie's profile). Run from the repository root:
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar ConversationBenchmark -f 1 -wi 0 -i 1
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ConversationBenchmark {

    static final List<String> QUESTIONS = List.of("Describe the image.", "What colour is the left half?",
            "And the right half?", "Which colour covers more of the image?", "Summarise the image in three words.");

    @Param({"PROCESS", "IN_PROCESS"})
    public DecoderEngine engine;

    private Path work;
    private Path image;
    private ProgramCounter device;
    private FastVlm vlm;

    /** The figures of one five-question conversation, per question: JMH prints them as secondary results. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class PerQuestion {
        public long q1Programs, q2Programs, q3Programs, q4Programs, q5Programs;
        public long q1BytesPushed, q2BytesPushed, q3BytesPushed, q4BytesPushed, q5BytesPushed;
        public long q1PromptTokens, q2PromptTokens, q3PromptTokens, q4PromptTokens, q5PromptTokens;

        void record(int question, long programs, Description d) {
            long bytes = d.stats().requestBytesPushed();
            long tokens = d.stats().promptTokens();
            switch (question) {
                case 0 -> { q1Programs = programs; q1BytesPushed = bytes; q1PromptTokens = tokens; }
                case 1 -> { q2Programs = programs; q2BytesPushed = bytes; q2PromptTokens = tokens; }
                case 2 -> { q3Programs = programs; q3BytesPushed = bytes; q3PromptTokens = tokens; }
                case 3 -> { q4Programs = programs; q4BytesPushed = bytes; q4PromptTokens = tokens; }
                default -> { q5Programs = programs; q5BytesPushed = bytes; q5PromptTokens = tokens; }
            }
        }
    }

    @Setup(Level.Trial)
    public void start() throws IOException, InterruptedException {
        work = Files.createTempDirectory("fastvlm-bench-conversation");
        Path sdk = StandIns.emulatedSdk(work.resolve("sdk"));
        StandIns.installGenie(sdk, Files.createDirectories(work.resolve("genie-build")));
        Path bundle = EmulatedBundle.write(work.resolve("bundle"), 56, EmulatedBundle.VisionPrecision.INT8);
        Path bin = StandIns.getpropFolder(work);
        image = Files.write(work.resolve("red-blue.png"), BenchImages.twoColourPng(Color.RED, Color.BLUE));
        device = new ProgramCounter(LocalTransport.builder().environment("PATH", bin + ":" + System.getenv("PATH"))
                .build());
        vlm = FastVlm.builder()
                .device(device)
                .models(bundle)
                .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory(work.resolve("device").toString())
                        .build())
                .decoderEngine(engine)
                // Short answers: five exchanges and the image's 256 rows fit the emulated bundle's 512-token context.
                .generation(GenerationOptions.builder().maxNewTokens(8).build())
                .build();
        // The one-time sync and the in-process model load happen here, before anything is measured.
        vlm.describe(image, "What is in the image?");
    }

    @Benchmark
    public int fiveQuestions(PerQuestion figures) {
        int characters = 0;
        try (Conversation chat = vlm.conversation(ConversationOptions.builder().image(image).build())) {
            for (int i = 0; i < QUESTIONS.size(); i++) {
                long before = device.programsOnThisThread();
                Description d = chat.ask(QUESTIONS.get(i));
                figures.record(i, device.programsOnThisThread() - before, d);
                characters += d.text().length();
            }
        }
        return characters;
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        vlm.close();
        try (var files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Counts the programs each thread runs on the device (the clean-up thread's removals are its
     * own); passes everything on, {@code push} too, whose local form keeps executable bits.
     */
    static final class ProgramCounter implements Transport {
        private final Transport delegate;
        private final ThreadLocal<long[]> programs = ThreadLocal.withInitial(() -> new long[1]);

        ProgramCounter(Transport delegate) {
            this.delegate = delegate;
        }

        long programsOnThisThread() {
            return programs.get()[0];
        }

        @Override
        public String target() {
            return delegate.target();
        }

        @Override
        public Set<TransportCapability> capabilities() {
            return delegate.capabilities();
        }

        @Override
        public void writeAll(List<Upload> uploads, TransferListener progress) {
            delegate.writeAll(uploads, progress);
        }

        @Override
        public void push(Path hostFile, String devicePath, TransferListener progress) {
            delegate.push(hostFile, devicePath, progress);
        }

        @Override
        public void pull(String devicePath, Path hostFile, TransferListener progress) {
            delegate.pull(devicePath, hostFile, progress);
        }

        @Override
        public byte[] read(String devicePath, int maxBytes) {
            return delegate.read(devicePath, maxBytes);
        }

        @Override
        public CommandResult run(DeviceCommand command, OutputListener output) {
            programs.get()[0]++;
            return delegate.run(command, output);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}

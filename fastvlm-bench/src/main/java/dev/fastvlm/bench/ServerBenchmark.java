package dev.fastvlm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.ImageInput;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;
import dev.fastvlm.emulator.EmulatedDevice;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.server.FastVlmServer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.awt.Color;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code fastvlm serve} against the library it serves, on emulated phones.
 *
 * <ul>
 *   <li>{@code describe}: one request at a time, {@code mode=direct} a {@code describe()} call on the
 *       instance, {@code mode=server} the same image and question as an OpenAI request over HTTP to a
 *       server over that same instance (the emulator's zero-latency timing). Each server request also
 *       yields its own overhead, paired: the client's wall time minus the library's time inside the
 *       server ({@code fastvlm.library_ms}); the median of those pairs is printed at the end, as the
 *       device programs' own spread (hundreds of ms) would hide a few milliseconds between the two
 *       modes' medians. Before it, {@value #WARM_UP_REQUESTS} requests to an instant in-memory
 *       device warm the server's code up, as a long-lived server's is.</li>
 *   <li>{@code batch}: {@value #BATCH} concurrent requests with distinct images to a server over
 *       {@code devices} emulated phones under the {@code REALISTIC} timing (device time waited, not
 *       computed); it prints where the CPU went: this JVM and the device programs it started.</li>
 * </ul>
 *
 * <pre>
 * java -jar fastvlm-bench/target/benchmarks.jar ServerBenchmark.describe -p devices=1
 * java -jar fastvlm-bench/target/benchmarks.jar ServerBenchmark.batch -p mode=server
 * </pre>
 */
@State(Scope.Benchmark)
@Fork(1)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ServerBenchmark {

    /** Requests in one {@code batch}. */
    static final int BATCH = 12;
    /** Requests that warm the server's code up before {@code describe} measures it. */
    static final int WARM_UP_REQUESTS = 3000;
    private static final String QUESTION = "What colours are in the image?";
    private static final Color[] COLOURS = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW, Color.CYAN,
            Color.MAGENTA, Color.WHITE, Color.BLACK};
    private static final ObjectMapper JSON = new ObjectMapper();

    /** {@code direct}: the library call; {@code server}: the same over HTTP. */
    @Param({"direct", "server"})
    public String mode;

    /** Emulated phones in the pool. */
    @Param({"1", "3"})
    public int devices;

    private final List<EmulatedDevice> phones = new ArrayList<>();
    private final List<FastVlm> instances = new ArrayList<>();
    private FastVlmServer server;
    private HttpClient http;
    private byte[] png;
    private String body;
    private List<String> batchBodies;
    private final List<Double> overheadMillis = new ArrayList<>();
    private long cpuBefore;
    private long childCpuBefore;
    private long wallBefore;

    @Setup(Level.Trial)
    public void start(org.openjdk.jmh.infra.BenchmarkParams params) throws IOException {
        boolean realistic = params.getBenchmark().endsWith(".batch");
        EmulatorOptions options = EmulatorOptions.builder()
                .timing(realistic ? EmulatedTiming.REALISTIC : EmulatedTiming.INSTANT).build();
        FastVlmServer.Builder builder = FastVlmServer.builder().port(0).queueLength(BATCH);
        for (int i = 0; i < devices; i++) {
            EmulatedDevice phone = EmulatedDevice.start(AdbTransport::direct, options);
            phones.add(phone);
            FastVlm instance = FastVlm.builder()
                    .device(AdbTransport.direct("127.0.0.1", phone.emulator().port(), phone.adbKey()))
                    .models(phone.bundleDir()).runtime(QairtRuntime.of(phone.sdkDir())).build();
            instances.add(instance);
            builder.device(phone.serial(), () -> instance);
        }
        server = builder.build().start();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        png = BenchImages.twoColourPng(Color.RED, Color.BLUE);
        body = request(png);
        batchBodies = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            batchBodies.add(request(BenchImages.twoColourPng(COLOURS[i % COLOURS.length], COLOURS[(i / COLOURS.length + i + 1)
                    % COLOURS.length])));
        }
        // The one-time sync of every phone happens here, not in a measured request.
        for (FastVlm instance : instances) {
            instance.describe(ImageInput.of(png, "warm-up.png"), QUESTION);
        }
        if (!realistic && mode.equals("server")) {
            warmUpServerCode();
        }
        cpuBefore = processCpuNanos();
        childCpuBefore = childrenCpuNanos();
        wallBefore = System.nanoTime();
    }

    /** One request, alone: the direct call or the HTTP request with the same image and question. */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @Warmup(iterations = 2, time = 10)
    @Measurement(iterations = 6, time = 10)
    public Object describe() throws Exception {
        if (mode.equals("direct")) {
            Description answer = instances.get(0).describe(ImageInput.of(png, "image.png"), QUESTION);
            return answer.text();
        }
        long start = System.nanoTime();
        HttpResponse<String> response = http.send(post(body), HttpResponse.BodyHandlers.ofString());
        double wall = (System.nanoTime() - start) / 1e6;
        JsonNode answer = checked(response);
        overheadMillis.add(wall - answer.path("fastvlm").path("library_ms").asDouble());
        return answer;
    }

    /** {@value #BATCH} requests at once over the pool. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public Object batch() throws Exception {
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (String request : batchBodies) {
            answers.add(http.sendAsync(post(request), HttpResponse.BodyHandlers.ofString()));
        }
        List<JsonNode> done = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            done.add(checked(answer.get()));
        }
        return done;
    }

    @TearDown(Level.Trial)
    public void stop(org.openjdk.jmh.infra.BenchmarkParams params) {
        double wall = (System.nanoTime() - wallBefore) / 1e9;
        if (!overheadMillis.isEmpty()) {
            double[] sorted = overheadMillis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            System.out.printf(Locale.ROOT, "%nserver overhead per request (client wall - library_ms), %d requests:"
                    + " median %.2f ms, p90 %.2f ms, min %.2f ms%n", sorted.length, sorted[sorted.length / 2],
                    sorted[(int) (sorted.length * 0.9)], sorted[0]);
        }
        if (params.getBenchmark().endsWith(".batch")) {
            System.out.printf(Locale.ROOT, "%nCPU over %.1f s of wall time on %d cores: this JVM (server, emulators)"
                    + " %.1f s, device programs (emulated tools' JVMs) %.1f s%n", wall,
                    Runtime.getRuntime().availableProcessors(), (processCpuNanos() - cpuBefore) / 1e9,
                    (childrenCpuNanos() - childCpuBefore) / 1e9);
        }
        server.close();
        phones.forEach(EmulatedDevice::close);
    }

    /**
     * Runs the server's own code ({@value #WARM_UP_REQUESTS} requests through HTTP, JSON and the pool
     * to an instant in-memory device) so that the measured requests meet it compiled, as a
     * long-lived server's is; the emulated phone's 2 s requests alone would leave it interpreted.
     */
    private void warmUpServerCode() throws IOException {
        try (FastVlmServer warm = FastVlmServer.builder().port(0).device("instant", InstantFastVlm::new).build()
                .start()) {
            HttpRequest request = post(warm, body);
            for (int i = 0; i < WARM_UP_REQUESTS; i++) {
                checked(http.send(request, HttpResponse.BodyHandlers.ofString()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while warming up", e);
        }
    }

    private HttpRequest post(String json) {
        return post(server, json);
    }

    private static HttpRequest post(FastVlmServer server, String json) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static JsonNode checked(HttpResponse<String> response) throws IOException {
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    private static String request(byte[] image) {
        return "{\"model\":\"fastvlm-0.5b\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\""
                + QUESTION + "\"},{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,"
                + Base64.getEncoder().encodeToString(image) + "\"}}]}]}";
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /**
     * CPU time of this JVM's ended child processes (the emulated device programs), from Linux's
     * {@code /proc/self/stat} (cutime + cstime, clock ticks of 10 ms); 0 elsewhere.
     */
    private static long childrenCpuNanos() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // After "pid (comm) ": state is field 3, cutime field 16 and cstime field 17.
            return (Long.parseLong(fields[13]) + Long.parseLong(fields[14])) * 10_000_000L;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}

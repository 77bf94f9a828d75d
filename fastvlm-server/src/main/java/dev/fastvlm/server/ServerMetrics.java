package dev.fastvlm.server;

import dev.fastvlm.Stats;
import dev.fastvlm.StageTiming;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;

/**
 * The server's figures in Prometheus' text format: requests by outcome, errors by kind, the queue,
 * devices by state, time to first token, stage times and bytes pushed. One registry per server, so
 * two servers in one JVM (tests, several pools) keep their own counts.
 */
final class ServerMetrics {

    private static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = ExpositionFormats.init().getPrometheusTextFormatWriter();
    private final Counter requests = Counter.builder().name("fastvlm_requests_total")
            .help("Chat completion requests by outcome (ok or the error's kind)").labelNames("outcome")
            .register(registry);
    private final Gauge queue = Gauge.builder().name("fastvlm_queue_length")
            .help("Requests waiting for a free device").register(registry);
    private final Gauge devices = Gauge.builder().name("fastvlm_devices")
            .help("Devices of the pool by state").labelNames("state").register(registry);
    private final Histogram timeToFirstToken = Histogram.builder().name("fastvlm_time_to_first_token_seconds")
            .help("From a request's start on its device to its first answer token").classicOnly()
            .classicUpperBounds(SECONDS).register(registry);
    private final Histogram stages = Histogram.builder().name("fastvlm_stage_seconds")
            .help("Time of each pipeline stage of answered requests").labelNames("stage").classicOnly()
            .classicUpperBounds(SECONDS).register(registry);
    private final Counter generated = Counter.builder().name("fastvlm_generated_tokens_total")
            .help("Answer tokens generated").register(registry);
    private final Counter pushed = Counter.builder().name("fastvlm_bytes_pushed_total")
            .help("Bytes pushed to devices: model files (sync) and request files").labelNames("kind")
            .register(registry);

    /** Counts an answered request and its device's figures. */
    void answered(Stats stats) {
        requests.labelValues("ok").inc();
        timeToFirstToken.observe(stats.timeToFirstToken().toNanos() / 1e9);
        for (StageTiming stage : stats.stages()) {
            stages.labelValues(stage.stage().id()).observe(stage.elapsed().toNanos() / 1e9);
        }
        generated.inc(stats.generatedTokens());
        pushed.labelValues("model").inc(stats.modelBytesPushed());
        pushed.labelValues("request").inc(stats.requestBytesPushed());
    }

    /** Counts a failed request by its error's code (invalid_value, queue_full, device_failed, ...). */
    void failed(ApiException error) {
        requests.labelValues(error.code()).inc();
    }

    /** Counts a request whose client went away before its answer. */
    void disconnected() {
        requests.labelValues("client_disconnected").inc();
    }

    void queueLength(int waiting) {
        queue.set(waiting);
    }

    /** @param counts devices in each {@link DevicePool.State}, by ordinal */
    void deviceStates(int[] counts) {
        for (DevicePool.State state : DevicePool.State.values()) {
            devices.labelValues(state.name().toLowerCase(Locale.ROOT)).set(counts[state.ordinal()]);
        }
    }

    String contentType() {
        return writer.getContentType();
    }

    void writeTo(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}

package dev.fastvlm.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fastvlm.FastVlm;
import dev.fastvlm.FastVlmException;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.util.List;
import java.util.Locale;

/** {@code GET /v1/models}, {@code GET /health} and {@code GET /metrics}. */
final class InfoHandlers {

    private final ObjectMapper json;
    private final DevicePool pool;
    private final ServerMetrics metrics;
    private final String model;
    private final long created = System.currentTimeMillis() / 1000;
    private volatile Integer contextSize;

    InfoHandlers(ObjectMapper json, DevicePool pool, ServerMetrics metrics, String model) {
        this.json = json;
        this.pool = pool;
        this.metrics = metrics;
        this.model = model;
    }

    /** The one model the devices serve, with its context size once a device has opened. */
    HttpHandler models() {
        return exchange -> {
            ObjectNode root = json.createObjectNode().put("object", "list");
            ObjectNode entry = root.putArray("data").addObject();
            entry.put("id", model).put("object", "model").put("created", created).put("owned_by", "fastvlm-java");
            Integer context = contextSize();
            if (context != null) {
                entry.put("context_length", context);
            }
            Responses.json(exchange, 200, root, json);
        };
    }

    /**
     * Every device's state and last error; 200 while at least one device can answer, else 503, so a
     * load balancer's health check takes the host out.
     */
    HttpHandler health() {
        return exchange -> {
            List<DevicePool.DeviceStatus> devices = pool.status();
            long serving = devices.stream().filter(d -> d.state() == DevicePool.State.READY
                    || d.state() == DevicePool.State.BUSY).count();
            ObjectNode root = json.createObjectNode();
            root.put("status", serving == devices.size() ? "ok" : serving > 0 ? "degraded" : "unavailable");
            ArrayNode list = root.putArray("devices");
            for (DevicePool.DeviceStatus device : devices) {
                ObjectNode d = list.addObject();
                d.put("name", device.name()).put("state", device.state().name().toLowerCase(Locale.ROOT))
                        .put("ready", device.state() == DevicePool.State.READY)
                        .put("busy", device.state() == DevicePool.State.BUSY)
                        .put("failed", device.state() == DevicePool.State.FAILED)
                        .put("served", device.served());
                if (device.lastError() == null) {
                    d.putNull("last_error");
                } else {
                    d.put("last_error", device.lastError());
                }
            }
            Responses.json(exchange, serving > 0 ? 200 : 503, root, json);
        };
    }

    /** The figures in Prometheus' text format. */
    HttpHandler metrics() {
        return new HttpHandler() {
            @Override
            public void handleRequest(HttpServerExchange exchange) throws Exception {
                if (exchange.isInIoThread()) {
                    exchange.dispatch(this);
                    return;
                }
                exchange.startBlocking();
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, metrics.contentType());
                metrics.writeTo(exchange.getOutputStream());
            }
        };
    }

    private Integer contextSize() {
        Integer known = contextSize;
        if (known == null) {
            known = pool.anyInstance(InfoHandlers::contextSizeOf, null);
            contextSize = known;
        }
        return known;
    }

    private static Integer contextSizeOf(FastVlm instance) {
        try {
            return instance.contextSize();
        } catch (FastVlmException e) {
            return null;
        }
    }
}

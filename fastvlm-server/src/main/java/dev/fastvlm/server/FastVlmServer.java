package dev.fastvlm.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.Conversation;
import dev.fastvlm.ConversationOptions;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageInput;
import dev.fastvlm.InvalidConfigurationException;
import io.undertow.Handlers;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.RoutingHandler;
import io.undertow.util.Headers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An OpenAI-compatible chat completions server over a pool of FastVLM devices: any OpenAI client
 * (or {@code curl}) asks about an image, one warm {@link FastVlm} per device answers.
 *
 * <pre>{@code
 * try (FastVlmServer server = FastVlmServer.builder()
 *         .device("phone-1", () -> FastVlm.builder().device(AdbTransport.connect("R3CX...")).models(bundle)
 *                 .runtime(QairtRuntime.of(sdk)).build())
 *         .port(8080)
 *         .build()
 *         .start()) {
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@code POST /v1/chat/completions}: {@code messages} with one image as a {@code data:} URL
 *       (or a file inside {@link Builder#imageFolder}), plain or {@code stream: true};</li>
 *   <li>{@code GET /v1/models}, {@code GET /health} (200 while a device can answer, else 503) and
 *       {@code GET /metrics} (Prometheus' text format).</li>
 * </ul>
 *
 * It listens on 127.0.0.1 unless told otherwise, and on any other address only with an API key,
 * which every endpoint but {@code /health} then requires as {@code Authorization: Bearer KEY}.
 */
public final class FastVlmServer implements AutoCloseable {

    /** The default port, as llama.cpp's server and many OpenAI-compatible servers use. */
    public static final int DEFAULT_PORT = 8080;
    /** The default model id in answers and {@code /v1/models}. */
    public static final String DEFAULT_MODEL = "fastvlm-0.5b";

    private final Builder settings;
    private final DevicePool pool;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Object lifecycle = new Object();
    private Undertow undertow;
    private InetSocketAddress address;
    private boolean closed;

    private FastVlmServer(Builder settings) {
        this.settings = settings;
        this.pool = new DevicePool(settings.devices, settings.queueLength, settings.retryInterval, FastVlmServer::probe,
                metrics);
    }

    /** {@return a builder with the defaults: 127.0.0.1:8080, no key, a queue of 16, a 5-minute timeout} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Opens every device (a device that cannot open is retried in the background) and starts
     * listening. If listening fails, the devices are closed again.
     *
     * @return this server, listening
     * @throws IllegalStateException when it was started or closed before
     * @throws RuntimeException when the address cannot be bound (Undertow's, with the {@code IOException} as cause)
     */
    public FastVlmServer start() {
        synchronized (lifecycle) {
            if (closed || undertow != null) {
                throw new IllegalStateException(closed ? "this server is closed" : "this server is started");
            }
            try {
                pool.start();
                ObjectMapper json = new ObjectMapper();
                InfoHandlers info = new InfoHandlers(json, pool, metrics, settings.model);
                ImageUrls images = new ImageUrls(settings.maxImageBytes, settings.imageFolder);
                RoutingHandler routes = Handlers.routing()
                        .post("/v1/chat/completions", new ChatCompletionsHandler(json, pool, metrics, images,
                                settings.generation, settings.requestTimeout, settings.maxBodyBytes,
                                settings.devices.size(), settings.model))
                        .get("/v1/models", info.models())
                        .get("/health", info.health())
                        .get("/metrics", info.metrics())
                        .setFallbackHandler(exchange -> Responses.error(exchange, new ApiException(404,
                                "invalid_request_error", null, "not_found", "no such endpoint: " + exchange.getRequestMethod()
                                + " " + exchange.getRequestPath()), json))
                        .setInvalidMethodHandler(exchange -> Responses.error(exchange, new ApiException(405,
                                "invalid_request_error", null, "method_not_allowed", exchange.getRequestMethod()
                                + " is not allowed on " + exchange.getRequestPath()), json));
                HttpHandler root = settings.apiKey.map(key -> authenticated(key, routes, json)).orElse(routes);
                undertow = Undertow.builder()
                        .addHttpListener(settings.port, settings.host)
                        // Each request waits for its device on a worker thread: the queue plus the devices, and
                        // room for /health and /metrics while all of them wait.
                        .setWorkerThreads(settings.queueLength + settings.devices.size() + 8)
                        .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, settings.maxBodyBytes + 1)
                        .setHandler(root)
                        .build();
                undertow.start();
                address = (InetSocketAddress) undertow.getListenerInfo().get(0).getAddress();
                return this;
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }
    }

    /** {@return how many devices the pool has} */
    public int deviceCount() {
        return settings.devices.size();
    }

    /** {@return the port the server listens on (the one chosen when port 0 was asked for)} */
    public int port() {
        return started().getPort();
    }

    /** {@return the server's base URL, e.g. {@code http://127.0.0.1:8080/v1} for OpenAI clients' base URL} */
    public URI baseUri() {
        InetSocketAddress bound = started();
        String host = bound.getAddress().isAnyLocalAddress() ? "127.0.0.1" : bound.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + bound.getPort() + "/v1");
    }

    /**
     * Stops listening, ends waiting requests and closes every device's instance (running requests
     * are cancelled). Safe from any thread, more than once.
     */
    @Override
    public void close() {
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            lifecycle.notifyAll();
        }
        try {
            if (undertow != null) {
                undertow.stop();
            }
        } finally {
            pool.close();
        }
    }

    /**
     * Blocks until {@link #close()} is called (from a shutdown hook, another thread).
     *
     * @throws InterruptedException when the waiting thread is interrupted
     */
    public void awaitClose() throws InterruptedException {
        synchronized (lifecycle) {
            while (!closed) {
                lifecycle.wait();
            }
        }
    }

    private InetSocketAddress started() {
        synchronized (lifecycle) {
            if (address == null) {
                throw new IllegalStateException("this server is not started");
            }
            return address;
        }
    }

    /** Every endpoint but {@code /health} needs the key; the comparison takes the same time for any wrong key. */
    private static HttpHandler authenticated(String key, HttpHandler next, ObjectMapper json) {
        byte[] expected = ("Bearer " + key).getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            String given = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
            if (exchange.getRequestPath().equals("/health") || (given != null
                    && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8)))) {
                next.handleRequest(exchange);
                return;
            }
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
            Responses.error(exchange, new ApiException(401, "invalid_request_error", null, "invalid_api_key",
                    given == null ? "this server needs an API key: send Authorization: Bearer KEY"
                            : "incorrect API key"), json);
        };
    }

    /** The question a device that failed must answer before it serves again: a small image, one token. */
    private static void probe(FastVlm instance) {
        int side = 32;
        byte[] grey = new byte[side * side * 3];
        Arrays.fill(grey, (byte) 0x80);
        try (Conversation conversation = instance.conversation(ConversationOptions.builder()
                .image(ImageInput.ofRgb(side, side, grey)).build())) {
            conversation.ask("Are you there?", GenerationOptions.builder().maxNewTokens(1).minNewTokens(1).build(),
                    null);
        }
    }

    /**
     * A device of the pool.
     *
     * @param name   its name in {@code /health}, the metrics and answers (its serial)
     * @param opener builds its instance; called again to bring it back after a failure
     */
    record DeviceOpener(String name, Supplier<FastVlm> opener) {
    }

    /** The server's settings; {@link #build()} checks them. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private Optional<String> apiKey = Optional.empty();
        private final List<DeviceOpener> devices = new ArrayList<>();
        private String model = DEFAULT_MODEL;
        private GenerationOptions generation = GenerationOptions.defaults();
        private int queueLength = 16;
        private Duration requestTimeout = Duration.ofMinutes(5);
        private Duration retryInterval = Duration.ofSeconds(30);
        private Optional<Path> imageFolder = Optional.empty();
        private long maxBodyBytes = 32L * 1024 * 1024;
        private long maxImageBytes = 20L * 1024 * 1024;

        private Builder() {
        }

        /**
         * The address to listen on.
         *
         * @param host a host name or IP address; anything but a loopback address needs {@link #apiKey}
         * @return this builder
         */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /**
         * The port to listen on.
         *
         * @param port 1-65535, or 0 for any free port ({@link FastVlmServer#port()} tells which)
         * @return this builder
         */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /**
         * The key clients send as {@code Authorization: Bearer KEY}.
         *
         * @param apiKey the key, or null for none (only on a loopback address)
         * @return this builder
         */
        public Builder apiKey(String apiKey) {
            this.apiKey = Optional.ofNullable(apiKey).filter(k -> !k.isEmpty());
            return this;
        }

        /**
         * Adds a device to the pool.
         *
         * @param name   its name (its serial) in {@code /health}, the metrics and answers
         * @param opener builds its instance at {@link FastVlmServer#start()}, and again to bring it back
         *               after it failed
         * @return this builder
         */
        public Builder device(String name, Supplier<FastVlm> opener) {
            devices.add(new DeviceOpener(Objects.requireNonNull(name, "name"), Objects.requireNonNull(opener, "opener")));
            return this;
        }

        /**
         * The model id answers and {@code /v1/models} name (clients may send any).
         *
         * @param model the id
         * @return this builder
         */
        public Builder model(String model) {
            this.model = Objects.requireNonNull(model, "model");
            return this;
        }

        /**
         * How answers are generated when a request does not say ({@code max_tokens}, {@code temperature},
         * {@code top_p}, {@code seed}, {@code stop} override these).
         *
         * @param generation the defaults
         * @return this builder
         */
        public Builder generation(GenerationOptions generation) {
            this.generation = Objects.requireNonNull(generation, "generation");
            return this;
        }

        /**
         * Most requests waiting for a device; one more is refused with 503.
         *
         * @param queueLength 0 or more
         * @return this builder
         */
        public Builder queueLength(int queueLength) {
            this.queueLength = queueLength;
            return this;
        }

        /**
         * How long a request may take, its wait for a device included; then it ends with 504.
         *
         * @param requestTimeout a positive duration
         * @return this builder
         */
        public Builder requestTimeout(Duration requestTimeout) {
            this.requestTimeout = Objects.requireNonNull(requestTimeout, "requestTimeout");
            return this;
        }

        /**
         * How long a failed device rests before it is opened and asked a probe question again.
         *
         * @param retryInterval a positive duration
         * @return this builder
         */
        public Builder retryInterval(Duration retryInterval) {
            this.retryInterval = Objects.requireNonNull(retryInterval, "retryInterval");
            return this;
        }

        /**
         * A folder whose files requests may name as images (a path or {@code file://} URL); without
         * one only {@code data:} URLs are accepted. Nothing outside it can be read, links included.
         *
         * @param imageFolder an existing folder
         * @return this builder
         */
        public Builder imageFolder(Path imageFolder) {
            this.imageFolder = Optional.of(imageFolder);
            return this;
        }

        /**
         * Most bytes of a request body (413 above).
         *
         * @param maxBodyBytes a positive size
         * @return this builder
         */
        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /**
         * Most bytes of one encoded image (400 above).
         *
         * @param maxImageBytes a positive size
         * @return this builder
         */
        public Builder maxImageBytes(long maxImageBytes) {
            this.maxImageBytes = maxImageBytes;
            return this;
        }

        /**
         * Checks the settings.
         *
         * @return a server, not yet listening: {@link FastVlmServer#start()} it
         * @throws InvalidConfigurationException naming the first setting that is wrong
         */
        public FastVlmServer build() {
            if (devices.isEmpty()) {
                throw new InvalidConfigurationException("devices", "add at least one device");
            }
            if (port < 0 || port > 65535) {
                throw new InvalidConfigurationException("port", "must be in 0-65535, was " + port);
            }
            if (queueLength < 0) {
                throw new InvalidConfigurationException("queueLength", "must be >= 0, was " + queueLength);
            }
            if (requestTimeout.isNegative() || requestTimeout.isZero() || retryInterval.isNegative()
                    || retryInterval.isZero()) {
                throw new InvalidConfigurationException(requestTimeout.isNegative() || requestTimeout.isZero()
                        ? "requestTimeout" : "retryInterval", "must be positive");
            }
            if (maxBodyBytes <= 0 || maxImageBytes <= 0) {
                throw new InvalidConfigurationException(maxBodyBytes <= 0 ? "maxBodyBytes" : "maxImageBytes",
                        "must be positive");
            }
            if (apiKey.isEmpty() && !isLoopback(host)) {
                throw new InvalidConfigurationException("apiKey", "listening on " + host + " (not a loopback"
                        + " address) needs an API key, so that only your clients can use the devices");
            }
            if (imageFolder.isPresent()) {
                try {
                    imageFolder = Optional.of(imageFolder.get().toRealPath());
                } catch (IOException e) {
                    throw new InvalidConfigurationException("imageFolder", imageFolder.get() + " is not a folder: "
                            + e.getMessage());
                }
            }
            return new FastVlmServer(this);
        }

        private static boolean isLoopback(String host) {
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    if (!address.isLoopbackAddress()) {
                        return false;
                    }
                }
                return true;
            } catch (UnknownHostException e) {
                throw new InvalidConfigurationException("host", "unknown host " + host);
            }
        }
    }
}

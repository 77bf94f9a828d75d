package dev.fastvlm.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.Description;
import dev.fastvlm.GenerationOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.sse.ServerSentEventConnection;
import io.undertow.server.handlers.sse.ServerSentEventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;

/**
 * {@code POST /v1/chat/completions}: checks the request, runs it on the pool and answers with one
 * JSON completion or, for {@code stream: true}, server-sent events in OpenAI's chunk format ending
 * with {@code data: [DONE]}. A stream starts only once the first piece of the answer exists, so a
 * request that fails before (queue full, prompt over the budget, device failure) still gets its
 * HTTP status and error body.
 */
final class ChatCompletionsHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ChatCompletionsHandler.class);
    private static final String DONE = "[DONE]";

    private final ObjectMapper json;
    private final DevicePool pool;
    private final ServerMetrics metrics;
    private final ImageUrls images;
    private final GenerationOptions defaults;
    private final Duration timeout;
    private final long maxBodyBytes;
    private final int attempts;
    private final String model;

    ChatCompletionsHandler(ObjectMapper json, DevicePool pool, ServerMetrics metrics, ImageUrls images,
                           GenerationOptions defaults, Duration timeout, long maxBodyBytes, int attempts,
                           String model) {
        this.json = json;
        this.pool = pool;
        this.metrics = metrics;
        this.images = images;
        this.defaults = defaults;
        this.timeout = timeout;
        this.maxBodyBytes = maxBodyBytes;
        this.attempts = attempts;
        this.model = model;
    }

    @Override
    public void handleRequest(HttpServerExchange exchange) throws Exception {
        if (exchange.isInIoThread()) {
            exchange.dispatch(this);
            return;
        }
        long started = System.nanoTime();
        exchange.startBlocking();
        Answering answering = null;
        boolean streaming = false;
        try {
            ChatRequest request = ChatRequest.parse(Responses.readJson(exchange, maxBodyBytes, json), defaults, images);
            answering = new Answering(request, pool, attempts, started, timeout);
            Answering cancellable = answering;
            Completions completions = new Completions(json, model);
            // While the device works nothing is written: the socket itself is watched for the client leaving.
            Answering.Event first = null;
            Description answer = null;
            ClientWatch watch = ClientWatch.start(exchange, cancellable::cancel);
            try {
                if (request.stream()) {
                    first = answering.start();
                } else {
                    answer = answering.complete();
                }
            } finally {
                if (watch != null) {
                    watch.stop();
                }
            }
            if (request.stream()) {
                Answering.Event firstEvent = first;
                Answering owned = answering;
                // The stream opens on an I/O thread, which must not wait: the answer goes out from a worker.
                new ServerSentEventHandler((connection, lastEventId) -> exchange.getConnection().getWorker().execute(
                        () -> stream(connection, owned, firstEvent, request, completions))).handleRequest(exchange);
                streaming = true;
            } else {
                metrics.answered(answer.stats());
                Responses.json(exchange, 200, completions.completion(answer, request.generation().maxNewTokens(),
                        answering.device(), answering.queued(), answering.onDevice()), json);
            }
        } catch (ApiException e) {
            metrics.failed(e);
            Responses.error(exchange, e, json);
        } catch (Answering.ClientGone e) {
            metrics.disconnected();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.disconnected();
        } finally {
            if (answering != null && !streaming) {
                answering.close();
            }
        }
    }

    /** On a worker thread once the event stream is open: the answer, chunk by chunk as the device makes it. */
    private void stream(ServerSentEventConnection connection, Answering answering, Answering.Event first,
                        ChatRequest request, Completions completions) {
        connection.addCloseTask(closed -> answering.cancel());
        try {
            send(connection, answering, json.writeValueAsString(completions.roleChunk()));
            Answering.Event event = first;
            while (event instanceof Answering.Piece piece) {
                send(connection, answering, json.writeValueAsString(completions.contentChunk(piece.text())));
                event = answering.next();
            }
            Answering.Done done = (Answering.Done) event;
            metrics.answered(done.answer().stats());
            send(connection, answering, json.writeValueAsString(completions.finishChunk(done.answer(),
                    request.generation().maxNewTokens(), answering.device(), answering.queued(), answering.onDevice())));
            if (request.includeUsage()) {
                send(connection, answering, json.writeValueAsString(completions.usageChunk(done.answer())));
            }
            send(connection, answering, DONE);
        } catch (ApiException e) {
            // Headers are out: the error goes in the stream, as OpenAI's streams report one.
            metrics.failed(e);
            try {
                send(connection, answering, json.writeValueAsString(Completions.error(json, e)));
            } catch (IOException unwritable) {
                LOG.debug("could not write a stream's error", unwritable);
            }
        } catch (Answering.ClientGone e) {
            metrics.disconnected();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.disconnected();
        } catch (IOException | RuntimeException e) {
            LOG.warn("a stream ended unexpectedly", e);
        } finally {
            answering.close();
            connection.shutdown();
        }
    }

    /** Queues one event; a client that cannot take it any more cancels its request. */
    private static void send(ServerSentEventConnection connection, Answering answering, String data) {
        connection.send(data, null, null, new ServerSentEventConnection.EventCallback() {
            @Override
            public void done(ServerSentEventConnection c, String d, String event, String id) {
            }

            @Override
            public void failed(ServerSentEventConnection c, String d, String event, String id, IOException e) {
                answering.cancel();
            }
        });
    }
}

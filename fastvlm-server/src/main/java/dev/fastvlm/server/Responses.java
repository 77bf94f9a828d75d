package dev.fastvlm.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** Reading a request's JSON body within the size limit, and writing JSON answers and OpenAI errors. */
final class Responses {

    private Responses() {
    }

    /**
     * Reads the body of a blocking exchange as JSON.
     *
     * @throws ApiException 413 over {@code maxBytes}, 400 when it is not JSON
     */
    static JsonNode readJson(HttpServerExchange exchange, long maxBytes, ObjectMapper json) throws IOException {
        long declared = exchange.getRequestContentLength();
        if (declared > maxBytes) {
            throw tooLarge(exchange, declared, maxBytes);
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream(declared > 0 ? (int) declared : 8192);
        byte[] buffer = new byte[64 * 1024];
        InputStream in = exchange.getInputStream();
        for (int n; (n = in.read(buffer)) >= 0; ) {
            body.write(buffer, 0, n);
            if (body.size() > maxBytes) {
                throw tooLarge(exchange, body.size(), maxBytes);
            }
        }
        if (body.size() == 0) {
            throw ApiException.invalid(null, "the request has no body: send a JSON object");
        }
        try {
            return json.readTree(body.toByteArray());
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "the body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /** Writes {@code body} with {@code status}. */
    static void json(HttpServerExchange exchange, int status, JsonNode body, ObjectMapper json) throws IOException {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(json.writeValueAsString(body));
    }

    /** Writes OpenAI's error object with the error's status. */
    static void error(HttpServerExchange exchange, ApiException error, ObjectMapper json) throws IOException {
        if (exchange.isResponseStarted()) {
            return;
        }
        if (error.status() == 503) {
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
        }
        json(exchange, error.status(), Completions.error(json, error), json);
    }

    /** The rest of the body stays unread, so the connection closes after the answer rather than parse it as a request. */
    private static ApiException tooLarge(HttpServerExchange exchange, long bytes, long maxBytes) {
        exchange.setPersistent(false);
        return new ApiException(413, "invalid_request_error", null, "request_too_large", "the request body is "
                + bytes + " bytes or more, over this server's limit of " + maxBytes + " bytes");
    }
}

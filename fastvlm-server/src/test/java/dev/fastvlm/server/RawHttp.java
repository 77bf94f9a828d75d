package dev.fastvlm.server;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A chat request written by hand on a socket, for what an HTTP client library does not let a test
 * do: close the connection in the middle of an answer, or send the next request before the first
 * is answered.
 */
final class RawHttp {

    private RawHttp() {
    }

    /** Writes {@code body} as a {@code POST /v1/chat/completions} on {@code out}, and flushes. */
    static void postChat(OutputStream out, JsonNode body) throws IOException {
        byte[] json = body.toString().getBytes(StandardCharsets.UTF_8);
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: " + json.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(json);
        out.flush();
    }
}

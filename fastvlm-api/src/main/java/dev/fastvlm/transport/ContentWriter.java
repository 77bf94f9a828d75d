package dev.fastvlm.transport;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Produces a file's content straight into the stream that carries it to the device, so that large
 * results (combined embeddings) are never staged in a temporary file. Must write exactly the length
 * announced to {@link Transport#write}.
 */
@FunctionalInterface
public interface ContentWriter {
    /**
     * Writes the file's content.
     *
     * @param out the stream to the device; do not close it
     * @throws IOException when producing the content fails, which fails the transfer
     */
    void writeTo(OutputStream out) throws IOException;
}

package dev.fastvlm.server;

import io.undertow.connector.PooledByteBuffer;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.protocol.http.HttpServerConnection;
import org.xnio.ChannelListener;
import org.xnio.conduits.ConduitStreamSourceChannel;
import org.xnio.conduits.StreamSourceConduit;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Notices a client that goes away while its request waits for the device. Undertow reads a
 * connection only to parse requests, and a request whose body was read has an exhausted body
 * conduit on top, so a closed socket goes unseen until the answer is written. From the end of the
 * body to the start of the answer this reads the socket's own conduit instead: end of stream or a
 * reset means the client is gone; bytes of a pipelined next request go back to Undertow's parser
 * untouched. {@link #stop()} gives the connection back as it was before the answer is written.
 * All switching happens on the connection's I/O thread, where Undertow touches it too.
 */
final class ClientWatch {

    /** How long {@link #stop()} waits for the I/O thread to hand the connection back. */
    private static final long STOP_SECONDS = 10;

    private final HttpServerConnection connection;
    private final ConduitStreamSourceChannel source;
    private final Runnable onGone;
    // Guarded by the I/O thread: only tasks run there read and write these.
    private StreamSourceConduit requestConduit;
    private ChannelListener<? super ConduitStreamSourceChannel> requestListener;
    private boolean watching;
    private boolean stopped;

    private ClientWatch(HttpServerConnection connection, Runnable onGone) {
        this.connection = connection;
        this.source = connection.getChannel().getSourceChannel();
        this.onGone = onGone;
    }

    /**
     * Starts watching the connection of {@code exchange}, whose request body has been read whole.
     *
     * @param onGone run on the I/O thread when the client is gone; must not block
     * @return the watch, to {@link #stop()} before the answer is written
     */
    static ClientWatch start(HttpServerExchange exchange, Runnable onGone) {
        exchange.getConnection().addCloseListener(closed -> onGone.run());
        if (!(exchange.getConnection() instanceof HttpServerConnection http)) {
            return null;
        }
        ClientWatch watch = new ClientWatch(http, onGone);
        watch.source.getIoThread().execute(watch::watch);
        return watch;
    }

    /** Hands the connection back to Undertow as it was; waits for its I/O thread to do so. */
    void stop() {
        CountDownLatch handedBack = new CountDownLatch(1);
        source.getIoThread().execute(() -> {
            stopped = true;
            if (watching) {
                source.suspendReads();
                source.setConduit(requestConduit);
                source.setReadListener(requestListener);
                watching = false;
            }
            handedBack.countDown();
        });
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    handedBack.await(STOP_SECONDS, TimeUnit.SECONDS);
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void watch() {
        if (stopped) {
            return;
        }
        requestConduit = source.getConduit();
        requestListener = source.getReadListener();
        source.setConduit(connection.getOriginalSourceConduit());
        source.setReadListener(channel -> readable());
        watching = true;
        source.resumeReads();
    }

    private void readable() {
        PooledByteBuffer pooled = connection.getByteBufferPool().allocate();
        boolean handedBack = false;
        try {
            int read = source.read(pooled.getBuffer());
            if (read < 0) {
                source.suspendReads();
                onGone.run();
            } else if (read > 0) {
                source.suspendReads();
                pooled.getBuffer().flip();
                connection.ungetRequestBytes(pooled);
                handedBack = true;
            }
        } catch (IOException e) {
            source.suspendReads();
            onGone.run();
        } finally {
            if (!handedBack) {
                pooled.close();
            }
        }
    }
}

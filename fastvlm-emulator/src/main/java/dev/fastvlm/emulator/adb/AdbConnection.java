package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbAuthToken;
import dev.fastvlm.adb.protocol.AdbMessage;
import dev.fastvlm.adb.protocol.AndroidPublicKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The device side of one ADB connection: handshake and authentication, then streams multiplexed over
 * one socket. One thread reads the host's messages and never waits for a stream (see {@link AdbStream}).
 */
final class AdbConnection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(AdbConnection.class);
    static final int DEVICE_VERSION = AdbMessage.VERSION_SKIP_CHECKSUM;
    static final int DEVICE_MAX_PAYLOAD = AdbMessage.MAX_PAYLOAD;
    /** adbd answers this many wrong signatures at once, then waits a second before each further one. */
    private static final int MAX_QUICK_FAILURES = 256;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final LinkSettings link;
    private final ServiceResolver services;
    private final ExecutorService workers;
    private final Map<Integer, AdbStream> streams = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private final Object sendLock = new Object();
    private OutputStream out;
    private volatile int maxPayload = DEVICE_MAX_PAYLOAD;
    private volatile boolean online;
    private boolean checksumOptional;
    /** The token of the last AUTH TOKEN sent, until a signature answers it. */
    private byte[] token;
    private int failedSignatures;
    private boolean keyRefusalLogged;
    private boolean streamLimitLogged;
    private long bytesSent;

    AdbConnection(Socket socket, LinkSettings link, ServiceResolver services, ExecutorService workers) {
        this.socket = socket;
        this.link = link;
        this.services = services;
        this.workers = workers;
    }

    int maxPayload() {
        return maxPayload;
    }

    @Override
    public void run() {
        try (socket) {
            socket.setTcpNoDelay(true);
            out = socket.getOutputStream();
            InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            AdbMessage message;
            while ((message = AdbMessage.read(in, DEVICE_MAX_PAYLOAD, checksumOptional)) != null) {
                handle(message);
            }
        } catch (AdbMessage.MalformedMessageException e) {
            LOG.warn("closing ADB connection from {}: {}", socket.getRemoteSocketAddress(), e.getMessage());
        } catch (IOException e) {
            LOG.debug("ADB connection from {} ended: {}", socket.getRemoteSocketAddress(), e.toString());
        } finally {
            streams.values().forEach(s -> s.remoteClosed(true));
            streams.clear();
        }
    }

    private void handle(AdbMessage m) throws IOException {
        switch (m.command()) {
            case AdbMessage.CNXN -> connect(m);
            case AdbMessage.AUTH -> authenticate(m);
            case AdbMessage.OPEN -> open(m);
            case AdbMessage.OKAY -> {
                AdbStream s = online ? streams.get(m.arg1()) : null;
                if (s != null) {
                    s.acknowledged();
                }
            }
            case AdbMessage.WRTE -> {
                AdbStream s = online ? streams.get(m.arg1()) : null;
                if (s == null) {
                    if (online) {
                        send(AdbMessage.of(AdbMessage.CLSE, 0, m.arg0(), new byte[0]));
                    }
                } else if (!s.received(m.payload())) {
                    LOG.warn("closing stream {} of the ADB connection from {}: the host wrote more than {} bytes "
                            + "without waiting for the device's OKAY", s.localId(), socket.getRemoteSocketAddress(),
                            AdbStream.UNREAD_LIMIT);
                    streams.remove(s.localId(), s);
                    s.remoteClosed(true);
                    send(AdbMessage.of(AdbMessage.CLSE, s.localId(), m.arg0(), new byte[0]));
                }
            }
            case AdbMessage.CLSE -> {
                AdbStream s = streams.remove(m.arg1());
                if (s != null) {
                    s.remoteClosed(false);
                }
            }
            default -> throw new AdbMessage.MalformedMessageException(
                    "unexpected " + AdbMessage.name(m.command()) + " from the host");
        }
    }

    private void connect(AdbMessage m) throws IOException {
        maxPayload = Math.max(4096, Math.min(m.arg1(), DEVICE_MAX_PAYLOAD));
        // Current adbd checks data checksums only until the handshake; clients rely on that
        // (dadb announces version 0x01000000 yet sums whole buffers, not the sent slice).
        checksumOptional = true;
        if (link.authorization().required() && !online) {
            sendToken();
        } else {
            sendBanner();
        }
    }

    /** A fresh token for every attempt, as adbd's {@code send_auth_request}: a signature answers one token only. */
    private void sendToken() throws IOException {
        token = new byte[AdbAuthToken.TOKEN_BYTES];
        RANDOM.nextBytes(token);
        send(AdbMessage.of(AdbMessage.AUTH, AdbMessage.AUTH_TOKEN, 0, token));
    }

    private void authenticate(AdbMessage m) throws IOException {
        if (online || !link.authorization().required()) {
            LOG.debug("ignoring AUTH from {}: the connection needs none", socket.getRemoteSocketAddress());
            return;
        }
        switch (m.arg0()) {
            case AdbMessage.AUTH_SIGNATURE -> {
                byte[] signed = token;
                token = null;
                Optional<String> key = signed == null ? Optional.empty() : link.authorization().verify(signed, m.payload());
                if (key.isPresent()) {
                    LOG.info("ADB connection from {} authorized with the key of {}", socket.getRemoteSocketAddress(),
                            key.get());
                    sendBanner();
                    return;
                }
                if (++failedSignatures > MAX_QUICK_FAILURES) {
                    // adbd slows down hosts that keep guessing
                    sleepAfterFailure();
                }
                sendToken();
            }
            case AdbMessage.AUTH_RSAPUBLICKEY -> {
                String offered = new String(m.payload(), StandardCharsets.UTF_8);
                if (!keyRefusalLogged) {
                    keyRefusalLogged = true;
                    LOG.warn("ADB connection from {} offered the unknown key of {}; it stays unauthorized (a phone "
                            + "would ask its user; this emulator accepts only the keys in {}: give it the host's "
                            + "adbkey.pub with --authorized-keys)", socket.getRemoteSocketAddress(),
                            AndroidPublicKey.comment(offered), link.authorization().keyFiles());
                }
            }
            default -> throw new AdbMessage.MalformedMessageException("unexpected AUTH type " + m.arg0());
        }
    }

    private static void sleepAfterFailure() throws InterruptedIOException {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while refusing a signature");
        }
    }

    private void sendBanner() throws IOException {
        online = true;
        send(AdbMessage.of(AdbMessage.CNXN, DEVICE_VERSION, DEVICE_MAX_PAYLOAD,
                link.banner().getBytes(StandardCharsets.UTF_8)));
    }

    private void open(AdbMessage m) throws IOException {
        if (!online) {
            throw new AdbMessage.MalformedMessageException("OPEN before the connection was authorized");
        }
        String service = new String(m.payload(), StandardCharsets.UTF_8);
        int nul = service.indexOf('\0');
        if (nul >= 0) {
            service = service.substring(0, nul);
        }
        if (streams.size() >= link.maxStreams()) {
            if (!streamLimitLogged) {
                streamLimitLogged = true;
                LOG.warn("refusing streams of the ADB connection from {}: it has {} open, the limit", 
                        socket.getRemoteSocketAddress(), link.maxStreams());
            }
            send(AdbMessage.of(AdbMessage.CLSE, 0, m.arg0(), new byte[0]));
            return;
        }
        Optional<StreamHandler> handler = services.resolve(service);
        if (handler.isEmpty()) {
            LOG.debug("refusing service {}", service);
            send(AdbMessage.of(AdbMessage.CLSE, 0, m.arg0(), new byte[0]));
            return;
        }
        AdbStream stream = new AdbStream(this, nextId.getAndIncrement(), m.arg0());
        streams.put(stream.localId(), stream);
        String name = service;
        // The OKAY goes from the stream's own thread: this thread reads the host's messages and,
        // like adbd's, must not wait to write, or a host busy writing to us could wait on it forever.
        workers.execute(() -> {
            try (stream) {
                send(AdbMessage.of(AdbMessage.OKAY, stream.localId(), m.arg0(), new byte[0]));
                handler.get().serve(stream);
            } catch (Exception e) {
                LOG.debug("service {} ended: {}", name, e.toString());
            }
        });
    }

    void closeStream(AdbStream stream, int remoteId) {
        try {
            send(AdbMessage.of(AdbMessage.CLSE, stream.localId(), remoteId, new byte[0]));
        } catch (IOException e) {
            LOG.debug("could not send CLSE: {}", e.toString());
        }
    }

    void forget(AdbStream stream) {
        streams.remove(stream.localId(), stream);
    }

    void send(AdbMessage m) throws IOException {
        byte[] bytes = m.encode();
        synchronized (sendLock) {
            if (link.bytesPerSecond() > 0) {
                try {
                    Thread.sleep(bytes.length * 1000L / link.bytesPerSecond());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted on a throttled link");
                }
            }
            if (link.dropAfterBytes() > 0 && bytesSent + bytes.length > link.dropAfterBytes()) {
                int rest = (int) Math.max(0, link.dropAfterBytes() - bytesSent);
                out.write(bytes, 0, rest);
                out.flush();
                socket.close();
                throw new IOException("fault injection: connection dropped after " + link.dropAfterBytes() + " bytes");
            }
            out.write(bytes);
            out.flush();
            bytesSent += bytes.length;
        }
    }
}

package dev.fastvlm.adb;

import dev.fastvlm.CancelledException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.transport.ContentWriter;
import dev.fastvlm.transport.TransferListener;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The client side of adbd's file service ({@code sync:}, AOSP {@code SYNC.TXT}): STAT, SEND, RECV.
 * Progress is reported as bytes move, path lengths are counted in UTF-8 bytes, and a connection
 * lost mid-transfer is an error, never a silently short file. Works the same over a direct
 * connection and through the adb server: both hand it an {@link AdbStream}.
 */
final class SyncClient implements AutoCloseable {

    /** The protocol's largest DATA packet. */
    static final int MAX_DATA = 64 * 1024;

    /** What STAT reports; {@code mode == 0} means the path does not exist. */
    record Stat(int mode, long size, long mtimeSeconds) {
        boolean exists() {
            return mode != 0;
        }

        boolean isRegularFile() {
            return (mode & 0170000) == 0100000;
        }
    }

    /** The device answered FAIL: the request was understood and refused (permissions, full disk). */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** A write to the device failed, as opposed to the ContentWriter failing to produce bytes. */
    private static final class LinkFailure extends java.io.UncheckedIOException {
        private static final long serialVersionUID = 1L;

        LinkFailure(IOException cause) {
            super(cause);
        }
    }

    private final AdbStream stream;
    private final DataInputStream in;
    private final OutputStream out;
    /** A request's id and argument, written at once. */
    private final byte[] header = new byte[8];

    SyncClient(AdbStream stream) {
        this.stream = stream;
        this.in = new DataInputStream(stream.input());
        this.out = stream.output();
    }

    /** The session's stream, for a {@link AdbLink#guard guard} of a transfer on it. */
    AdbStream stream() {
        return stream;
    }

    /**
     * Asks for a file's attributes and its content at once: one round trip where STAT then RECV
     * would take two. Read the answers with {@link #readStat}, then (if the file
     * is worth having) {@link #readContent}.
     */
    void requestStatAndContent(String path) throws IOException {
        writeHeader("STAT", path);
        request("RECV", path);
    }

    Stat readStat(String path) throws IOException {
        String id = readId();
        if (!id.equals("STAT")) {
            throw new IOException("unexpected sync reply " + id + " to STAT " + path);
        }
        int mode = readIntLe();
        long size = readIntLe() & 0xFFFF_FFFFL;
        long mtime = readIntLe() & 0xFFFF_FFFFL;
        return new Stat(mode, size, mtime);
    }

    /**
     * Sends exactly {@code length} bytes produced by {@code content} to {@code path} without waiting
     * for the device's verdict, which {@link #awaitSent} reads later: the device answers each SEND
     * in order, so a batch of files costs one round trip, not one each. Messages name the file
     * {@code shownAs} (the final name of a file pushed under a temporary one).
     */
    void startSend(String path, String shownAs, int mode, long length, ContentWriter content,
                   TransferListener progress) throws IOException {
        writeHeader("SEND", path + "," + mode);
        DataPacketStream data = new DataPacketStream(shownAs, length, progress);
        try {
            content.writeTo(data);
        } catch (LinkFailure e) {
            throw e.getCause();
        } catch (IOException e) {
            throw new FastVlmException("cannot produce the content of " + shownAs + ": " + e.getMessage(), e);
        }
        if (data.written != length) {
            throw new FastVlmException("the content of " + shownAs + " was " + data.written
                    + " bytes, but " + length + " were announced");
        }
        if (length == 0) {
            progress.onProgress(0, 0);
        }
        writeHeader("DONE", (int) (System.currentTimeMillis() / 1000));
    }

    /** Reads the device's verdict on the oldest file sent and not yet confirmed. */
    void awaitSent(String shownAs) throws IOException {
        out.flush();
        String id = readId();
        if (id.equals("FAIL")) {
            throw new Refused(readMessage());
        }
        readIntLe();
        if (!id.equals("OKAY")) {
            throw new IOException("unexpected sync reply " + id + " after sending " + shownAs);
        }
    }

    /** Reads the answer to a RECV into {@code sink}, returning the number of bytes received. */
    long readContent(String path, long expected, OutputStream sink, TransferListener progress) throws IOException {
        byte[] buffer = new byte[MAX_DATA];
        long received = 0;
        while (true) {
            String id = readId();
            if (id.equals("DONE")) {
                readIntLe();
                progress.onProgress(received, expected);
                return received;
            }
            if (id.equals("FAIL")) {
                throw new Refused(readMessage());
            }
            if (!id.equals("DATA")) {
                throw new IOException("unexpected sync reply " + id + " while receiving " + path);
            }
            int length = readIntLe();
            if (length < 0 || length > MAX_DATA) {
                throw new IOException("sync DATA packet of " + length + " bytes while receiving " + path);
            }
            for (int read = 0; read < length; ) {
                int n = in.read(buffer, read, length - read);
                if (n < 0) {
                    throw new EOFException("the connection closed in the middle of " + path);
                }
                read += n;
            }
            checkNotInterrupted();
            sink.write(buffer, 0, length);
            received += length;
            progress.onProgress(received, expected);
        }
    }

    @Override
    public void close() {
        try {
            writeHeader("QUIT", 0);
            out.flush();
        } catch (IOException | RuntimeException ignored) {
            // The stream is going away either way; QUIT is a courtesy.
        } finally {
            try {
                stream.close();
            } catch (Exception ignored) {
                // Nothing more to say to this stream.
            }
        }
    }

    private void request(String id, String argument) throws IOException {
        writeHeader(id, argument);
        out.flush();
    }

    private void writeHeader(String id, String argument) throws IOException {
        byte[] bytes = argument.getBytes(StandardCharsets.UTF_8);
        writeHeader(id, bytes.length);
        out.write(bytes);
    }

    private void writeHeader(String id, int argument) throws IOException {
        for (int i = 0; i < 4; i++) {
            header[i] = (byte) id.charAt(i);
        }
        header[4] = (byte) argument;
        header[5] = (byte) (argument >>> 8);
        header[6] = (byte) (argument >>> 16);
        header[7] = (byte) (argument >>> 24);
        out.write(header);
    }

    /** Reads a 4-byte reply id; the AdbStream reports a lost connection as end of stream. */
    private String readId() throws IOException {
        byte[] id = new byte[4];
        try {
            in.readFully(id);
        } catch (EOFException e) {
            throw new EOFException("the connection closed in the middle of a file transfer");
        }
        return new String(id, StandardCharsets.US_ASCII);
    }

    private int readIntLe() throws IOException {
        return Integer.reverseBytes(in.readInt());
    }

    /** A FAIL's reason: adbd's messages are short; a length beyond the protocol's packet size is garbage. */
    private String readMessage() throws IOException {
        int length = readIntLe();
        if (length < 0 || length > MAX_DATA) {
            throw new IOException("sync FAIL message of " + length + " bytes");
        }
        byte[] text = new byte[length];
        in.readFully(text);
        return new String(text, StandardCharsets.UTF_8);
    }

    private static void checkNotInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new CancelledException("file transfer cancelled");
        }
    }

    /**
     * Frames whatever the ContentWriter writes into DATA packets, counting and reporting bytes. The
     * length is announced, so each packet's header goes out before its bytes (the largest packet
     * while that many are still to come) and the content goes straight into the stream, without
     * being staged in a packet buffer first. A content that stops early leaves its last packet
     * short; {@link #startSend} then fails, and the session, no longer usable, is closed.
     */
    private final class DataPacketStream extends OutputStream {
        private final String shownAs;
        private final long length;
        private final TransferListener progress;
        private long written;
        /** Bytes covered by the DATA headers sent so far. */
        private long announced;

        DataPacketStream(String shownAs, long length, TransferListener progress) {
            this.shownAs = shownAs;
            this.length = length;
            this.progress = progress;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            if (written + count > length) {
                throw new FastVlmException("the content of " + shownAs + " is longer than the announced " + length
                        + " bytes");
            }
            try {
                while (count > 0) {
                    if (written == announced) {
                        checkNotInterrupted();
                        int packet = (int) Math.min(MAX_DATA, length - written);
                        writeHeader("DATA", packet);
                        announced += packet;
                    }
                    int n = (int) Math.min(count, announced - written);
                    out.write(bytes, offset, n);
                    written += n;
                    offset += n;
                    count -= n;
                    if (written == announced) {
                        progress.onProgress(written, length);
                    }
                }
            } catch (IOException e) {
                throw new LinkFailure(e);
            }
        }

        /** Sends what has been written so far on its way, rather than once a whole message is full. */
        @Override
        public void flush() {
            try {
                out.flush();
            } catch (IOException e) {
                throw new LinkFailure(e);
            }
        }
    }
}

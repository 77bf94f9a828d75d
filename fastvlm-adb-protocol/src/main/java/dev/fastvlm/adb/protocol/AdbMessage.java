package dev.fastvlm.adb.protocol;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * One ADB transport-protocol message: a 24-byte little-endian header (command, arg0, arg1, data
 * length, data checksum, magic) and its payload, as AOSP's {@code protocol.txt} defines it. Both
 * ends of the protocol read and write messages through this class: the client in
 * {@code fastvlm-adb} and the emulated adbd.
 *
 * @param command one of the command constants ({@link #CNXN}, {@link #OPEN}, ...)
 * @param arg0    the first argument (a stream's local id, a version, an AUTH type)
 * @param arg1    the second argument (a stream's remote id, a maximum payload)
 * @param payload the data, never null
 */
public record AdbMessage(int command, int arg0, int arg1, byte[] payload) {

    /** Connect: the handshake's first message, and the device's banner once it is online. */
    public static final int CNXN = 0x4e584e43;
    /** Authentication: a token from the device; a signature or a public key from the host. */
    public static final int AUTH = 0x48545541;
    /** Opens a stream to the service named by the payload. */
    public static final int OPEN = 0x4e45504f;
    /** A stream is open (first OKAY), or its last WRTE was taken (flow control). */
    public static final int OKAY = 0x59414b4f;
    /** Closes a stream. */
    public static final int CLSE = 0x45534c43;
    /** Data on a stream. */
    public static final int WRTE = 0x45545257;
    /** Start TLS; never sent by this project's client, refused by the emulated adbd's peers. */
    public static final int STLS = 0x534c5453;

    /** The first protocol version whose peers may leave the data checksum at zero. */
    public static final int VERSION_SKIP_CHECKSUM = 0x01000001;
    /** The largest payload either end of this project offers (adbd's {@code MAX_PAYLOAD}). */
    public static final int MAX_PAYLOAD = 1024 * 1024;
    /** The size of a message header. */
    public static final int HEADER_BYTES = 24;

    /** {@link #AUTH} type: the device's random token. */
    public static final int AUTH_TOKEN = 1;
    /** {@link #AUTH} type: the host's signature of the token. */
    public static final int AUTH_SIGNATURE = 2;
    /** {@link #AUTH} type: the host's public key, offered when its signature was refused. */
    public static final int AUTH_RSAPUBLICKEY = 3;

    private static final byte[] NO_PAYLOAD = new byte[0];

    /**
     * Checks that the payload is there.
     *
     * @param command the command
     * @param arg0    the first argument
     * @param arg1    the second argument
     * @param payload the data
     * @throws NullPointerException if {@code payload} is null
     */
    public AdbMessage {
        java.util.Objects.requireNonNull(payload, "payload");
    }

    /**
     * A message.
     *
     * @param command the command
     * @param arg0    the first argument
     * @param arg1    the second argument
     * @param payload the data
     * @return the message
     */
    public static AdbMessage of(int command, int arg0, int arg1, byte[] payload) {
        return new AdbMessage(command, arg0, arg1, payload);
    }

    /**
     * A message without data (OKAY, CLSE).
     *
     * @param command the command
     * @param arg0    the first argument
     * @param arg1    the second argument
     * @return the message
     */
    public static AdbMessage of(int command, int arg0, int arg1) {
        return new AdbMessage(command, arg0, arg1, NO_PAYLOAD);
    }

    /**
     * The message as it goes on the wire, its checksum filled in.
     *
     * @return header and payload in one array
     */
    public byte[] encode() {
        byte[] bytes = new byte[HEADER_BYTES + payload.length];
        writeHeader(bytes, command, arg0, arg1, payload.length, checksum(payload, 0, payload.length));
        System.arraycopy(payload, 0, bytes, HEADER_BYTES, payload.length);
        return bytes;
    }

    /**
     * Fills in a header, for writers that send the payload from their own buffer without copying it.
     *
     * @param header   at least {@link #HEADER_BYTES} bytes; the first 24 are overwritten
     * @param command  the command
     * @param arg0     the first argument
     * @param arg1     the second argument
     * @param length   the payload's length
     * @param checksum the payload's {@linkplain #checksum checksum}, or 0 where both peers skip it
     */
    public static void writeHeader(byte[] header, int command, int arg0, int arg1, int length, int checksum) {
        ByteBuffer.wrap(header, 0, HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(command).putInt(arg0).putInt(arg1).putInt(length).putInt(checksum).putInt(~command);
    }

    /**
     * The protocol's data checksum: the sum of the payload's bytes, unsigned.
     *
     * @param data   the buffer
     * @param offset where the payload starts
     * @param length the payload's length
     * @return the sum
     */
    public static int checksum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += data[i] & 0xff;
        }
        return sum;
    }

    /**
     * Reads one message, rejecting what a real adbd rejects: a wrong magic, a command it does not
     * know, a payload over the maximum, or (unless {@code checksumOptional}) a checksum that does
     * not match. adbd checks checksums only until the handshake is over, since some clients fill
     * the field with the sum of a whole buffer; the client reads with the check off.
     *
     * @param in               the connection's input
     * @param maxPayload       the largest payload accepted
     * @param checksumOptional true to accept any checksum
     * @return the message, or null at a clean end of stream before any header byte
     * @throws MalformedMessageException if the message breaks one of those rules
     * @throws EOFException              if the stream ends inside a message
     * @throws IOException               if reading fails
     */
    public static AdbMessage read(InputStream in, int maxPayload, boolean checksumOptional) throws IOException {
        byte[] header = new byte[HEADER_BYTES];
        int first = in.read();
        if (first < 0) {
            return null;
        }
        header[0] = (byte) first;
        readFully(in, header, 1, HEADER_BYTES - 1);
        ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        int command = h.getInt();
        int arg0 = h.getInt();
        int arg1 = h.getInt();
        int length = h.getInt();
        int check = h.getInt();
        int magic = h.getInt();
        if (magic != ~command) {
            throw new MalformedMessageException(String.format("bad magic 0x%08x for command 0x%08x", magic, command));
        }
        if (!known(command)) {
            throw new MalformedMessageException(String.format("unknown command 0x%08x", command));
        }
        if (length < 0 || length > maxPayload) {
            throw new MalformedMessageException("payload length " + Integer.toUnsignedString(length)
                    + " exceeds the maximum " + maxPayload);
        }
        byte[] payload = length == 0 ? NO_PAYLOAD : new byte[length];
        readFully(in, payload, 0, length);
        if (!checksumOptional && checksum(payload, 0, length) != check) {
            throw new MalformedMessageException("data checksum " + Integer.toUnsignedString(check)
                    + " does not match the payload's " + Integer.toUnsignedString(checksum(payload, 0, length)));
        }
        return new AdbMessage(command, arg0, arg1, payload);
    }

    /**
     * A command's four letters, for messages and logs.
     *
     * @param command a command
     * @return its name, e.g. {@code "CNXN"}
     */
    public static String name(int command) {
        byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(command).array();
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static boolean known(int command) {
        return command == CNXN || command == AUTH || command == OPEN || command == OKAY || command == CLSE
                || command == WRTE || command == STLS;
    }

    private static void readFully(InputStream in, byte[] buffer, int offset, int length) throws IOException {
        int done = 0;
        while (done < length) {
            int n = in.read(buffer, offset + done, length - done);
            if (n < 0) {
                throw new EOFException("connection ended inside a message");
            }
            done += n;
        }
    }

    /** A message a real adbd would refuse; the connection that sent it is closed. */
    public static final class MalformedMessageException extends IOException {
        private static final long serialVersionUID = 1L;

        /**
         * A refusal.
         *
         * @param message what is wrong with the message
         */
        public MalformedMessageException(String message) {
            super(message);
        }
    }
}

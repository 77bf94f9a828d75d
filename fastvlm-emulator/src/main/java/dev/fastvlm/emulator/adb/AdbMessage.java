package dev.fastvlm.emulator.adb;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One ADB wire message: a 24-byte little-endian header (command, arg0, arg1, data length,
 * data checksum, magic) and its payload, as AOSP's {@code protocol.txt} defines it.
 */
record AdbMessage(int command, int arg0, int arg1, byte[] payload) {

    static final int CNXN = 0x4e584e43;
    static final int AUTH = 0x48545541;
    static final int OPEN = 0x4e45504f;
    static final int OKAY = 0x59414b4f;
    static final int CLSE = 0x45534c43;
    static final int WRTE = 0x45545257;
    static final int STLS = 0x534c5453;

    /** The first version whose peers may leave the data checksum at zero. */
    static final int VERSION_SKIP_CHECKSUM = 0x01000001;
    static final int HEADER_BYTES = 24;

    static final int AUTH_TOKEN = 1;
    static final int AUTH_SIGNATURE = 2;
    static final int AUTH_RSAPUBLICKEY = 3;

    static AdbMessage of(int command, int arg0, int arg1, byte[] payload) {
        return new AdbMessage(command, arg0, arg1, payload);
    }

    byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(command).putInt(arg0).putInt(arg1).putInt(payload.length).putInt(checksum(payload, 0, payload.length))
                .putInt(~command).put(payload);
        return b.array();
    }

    static int checksum(byte[] data, int offset, int length) {
        int sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += data[i] & 0xff;
        }
        return sum;
    }

    /**
     * Reads one message, rejecting what a real adbd rejects: a wrong magic, a command it does not
     * know, a payload over the maximum, or a checksum that does not match while the connection has
     * not completed its handshake (adbd ignores them from then on, and so must we: some clients,
     * dadb among them, fill the field with the sum of a whole buffer).
     *
     * @return null at a clean end of stream before any header byte
     */
    static AdbMessage read(InputStream in, int maxPayload, boolean checksumOptional) throws IOException {
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
        byte[] payload = new byte[length];
        readFully(in, payload, 0, length);
        if (!checksumOptional && checksum(payload, 0, length) != check) {
            throw new MalformedMessageException("data checksum " + Integer.toUnsignedString(check)
                    + " does not match the payload's " + Integer.toUnsignedString(checksum(payload, 0, length)));
        }
        return new AdbMessage(command, arg0, arg1, payload);
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

    static String name(int command) {
        byte[] b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(command).array();
        return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** A message a real adbd would refuse; the connection that sent it is closed. */
    static final class MalformedMessageException extends IOException {
        private static final long serialVersionUID = 1L;

        MalformedMessageException(String message) {
            super(message);
        }
    }
}

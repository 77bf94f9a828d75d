package dev.fastvlm.adb.protocol;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * adb's public-key format, as in {@code adbkey.pub} and adbd's {@code adb_keys}: one line of the
 * base64 of AOSP's {@code RSAPublicKey} struct ({@code libcrypto_utils/android_pubkey.cpp}: u32
 * modulus size in words, u32 n0inv = -1/n mod 2^32, the modulus and R^2 mod n (R = 2^2048) as
 * little-endian 256-byte numbers, u32 exponent), then a blank and a {@code user@host} comment.
 * Like adbd, only 2048-bit keys are accepted.
 */
public final class AndroidPublicKey {
    /** adbd's {@code ANDROID_PUBKEY_MODULUS_SIZE}: 2048-bit keys only, so also a signature's size. */
    public static final int MODULUS_BYTES = 2048 / 8;
    private static final int MODULUS_WORDS = MODULUS_BYTES / 4;
    private static final int STRUCT_BYTES = 4 + 4 + MODULUS_BYTES + MODULUS_BYTES + 4;
    private static final BigInteger WORD = BigInteger.ONE.shiftLeft(32);

    private AndroidPublicKey() {
    }

    /**
     * Reads one line of an {@code adbkey.pub} or {@code adb_keys} file.
     *
     * @param line the base64 struct, optionally followed by a blank and a comment
     * @return the RSA public key it holds
     * @throws IllegalArgumentException if the line is not valid base64 of a 2048-bit key struct
     */
    public static RSAPublicKey decode(String line) {
        String text = line.strip();
        int blank = indexOfBlank(text);
        String base64 = blank < 0 ? text : text.substring(0, blank);
        byte[] struct;
        try {
            struct = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not base64: " + e.getMessage(), e);
        }
        if (struct.length != STRUCT_BYTES) {
            throw new IllegalArgumentException("an adb public key is " + STRUCT_BYTES + " bytes of base64, this one is "
                    + struct.length);
        }
        ByteBuffer b = ByteBuffer.wrap(struct).order(ByteOrder.LITTLE_ENDIAN);
        int words = b.getInt();
        if (words != MODULUS_WORDS) {
            throw new IllegalArgumentException("modulus of " + Integer.toUnsignedString(words) + " words, adbd accepts only "
                    + MODULUS_WORDS + " (2048-bit keys)");
        }
        b.getInt(); // n0inv: a Montgomery constant derived from the modulus, not needed to verify
        BigInteger modulus = littleEndian(b, MODULUS_BYTES);
        b.position(b.position() + MODULUS_BYTES); // R^2 mod n, likewise derived
        BigInteger exponent = BigInteger.valueOf(Integer.toUnsignedLong(b.getInt()));
        if (modulus.bitLength() != 2048 || !modulus.testBit(0) || exponent.compareTo(BigInteger.valueOf(3)) < 0
                || !exponent.testBit(0)) {
            throw new IllegalArgumentException("not an RSA key: modulus of " + modulus.bitLength() + " bits, exponent "
                    + exponent);
        }
        try {
            return (RSAPublicKey) KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(modulus, exponent));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an RSA key: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a key as one {@code adbkey.pub} line (without a line end).
     *
     * @param key     a 2048-bit RSA public key
     * @param comment what follows the key, usually {@code user@host}
     * @return {@code base64 comment}
     * @throws IllegalArgumentException if the key is not 2048 bits
     */
    public static String encode(RSAPublicKey key, String comment) {
        BigInteger n = key.getModulus();
        if (n.bitLength() != 2048) {
            throw new IllegalArgumentException("adb keys are 2048-bit RSA, this one has " + n.bitLength() + " bits");
        }
        BigInteger n0inv = n.mod(WORD).modInverse(WORD).negate().mod(WORD);
        BigInteger rr = BigInteger.ONE.shiftLeft(2 * 2048).mod(n);
        ByteBuffer b = ByteBuffer.allocate(STRUCT_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MODULUS_WORDS).putInt(n0inv.intValue());
        putLittleEndian(b, n);
        putLittleEndian(b, rr);
        b.putInt(key.getPublicExponent().intValueExact());
        return Base64.getEncoder().encodeToString(b.array()) + " " + comment;
    }

    /**
     * The comment of a key line ({@code user@host}), for messages.
     *
     * @param line an {@code adbkey.pub} line
     * @return what follows the base64, or {@code "(no comment)"}
     */
    public static String comment(String line) {
        String text = line.replace('\0', ' ').strip();
        int blank = indexOfBlank(text);
        return blank < 0 ? "(no comment)" : text.substring(blank + 1).strip();
    }

    private static int indexOfBlank(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }

    private static BigInteger littleEndian(ByteBuffer b, int length) {
        byte[] big = new byte[length];
        for (int i = length - 1; i >= 0; i--) {
            big[i] = b.get();
        }
        return new BigInteger(1, big);
    }

    private static void putLittleEndian(ByteBuffer b, BigInteger value) {
        byte[] big = value.toByteArray();
        for (int i = 0; i < MODULUS_BYTES; i++) {
            int from = big.length - 1 - i;
            b.put(from >= 0 ? big[from] : 0);
        }
    }
}

package dev.fastvlm.adb.protocol;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;

/**
 * adb's authentication signature: the device sends a random token, the host signs it with its adb
 * key as adb's {@code RSA_sign(NID_sha1, token)} does (RSA PKCS #1 v1.5 over a SHA-1 DigestInfo
 * whose digest is the token itself, not a hash of it), and adbd verifies it against its authorized
 * keys ({@code adbd_auth_verify}).
 */
public final class AdbAuthToken {

    /** adbd's {@code TOKEN_SIZE}. */
    public static final int TOKEN_BYTES = 20;

    /** The DER prefix of a SHA-1 DigestInfo: the token stands where the SHA-1 digest would. */
    private static final byte[] SHA1_DIGEST_INFO = {
        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};

    private AdbAuthToken() {
    }

    /**
     * Signs a device's token, as the host answers an AUTH TOKEN.
     *
     * @param key   the host's private RSA key ({@code adbkey})
     * @param token the token the device sent
     * @return the signature, as long as the key's modulus
     * @throws GeneralSecurityException if the key cannot sign (not an RSA key)
     */
    public static byte[] sign(PrivateKey key, byte[] token) throws GeneralSecurityException {
        Signature rsa = Signature.getInstance("NONEwithRSA");
        rsa.initSign(key);
        rsa.update(SHA1_DIGEST_INFO);
        rsa.update(token);
        return rsa.sign();
    }

    /**
     * Checks a host's answer to a token, as adbd does.
     *
     * @param key       an authorized public key
     * @param token     the token the device sent
     * @param signature what the host answered
     * @return true if {@code key} made that signature of that token; false for anything else,
     *         including bytes that are not a signature at all
     */
    public static boolean verify(RSAPublicKey key, byte[] token, byte[] signature) {
        try {
            Signature rsa = Signature.getInstance("NONEwithRSA");
            rsa.initVerify(key);
            rsa.update(SHA1_DIGEST_INFO);
            rsa.update(token);
            return rsa.verify(signature);
        } catch (GeneralSecurityException e) {
            // a signature that is not a PKCS #1 block for this key (all zeros, random bytes) verifies nothing
            return false;
        }
    }
}

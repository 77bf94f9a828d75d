package dev.fastvlm.adb;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;

/**
 * This computer's adb key: the RSA private key that signs the device's AUTH token, and the public
 * key in adb's own format ({@code adbkey.pub}) offered when the device does not know it yet.
 */
record AdbKey(PrivateKey privateKey, byte[] publicKey) {

    /** The DER prefix of a SHA-1 DigestInfo: adbd verifies the token as the SHA-1 digest it signed. */
    private static final byte[] SHA1_DIGEST_INFO = {
        0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14};

    /** PKCS #1 v1.5 signature of the token, as adb's {@code RSA_sign(NID_sha1, token)}. */
    byte[] sign(byte[] token) {
        try {
            Signature rsa = Signature.getInstance("NONEwithRSA");
            rsa.initSign(privateKey);
            rsa.update(SHA1_DIGEST_INFO);
            rsa.update(token);
            return rsa.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the device's AUTH token with the adb key: " + e.getMessage(), e);
        }
    }
}

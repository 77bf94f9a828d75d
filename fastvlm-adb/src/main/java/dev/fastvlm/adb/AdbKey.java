package dev.fastvlm.adb;

import java.security.PrivateKey;

/**
 * This computer's adb key: the RSA private key that signs the device's AUTH token, and the public
 * key in adb's own format ({@code adbkey.pub}, NUL-terminated as adbd expects it) offered when the
 * device does not know it yet.
 */
record AdbKey(PrivateKey privateKey, byte[] publicKey) {
}

package dev.fastvlm.emulator;

import dev.fastvlm.emulator.adb.AndroidPublicKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

/**
 * Writes a fresh adb key pair as the adb client keeps one: {@code adbkey}, a PEM PKCS #8 RSA private
 * key readable only by its owner, and {@code adbkey.pub} in adb's public-key format.
 */
final class AdbKeyFiles {
    private AdbKeyFiles() {
    }

    /**
     * Generates a 2048-bit RSA key pair into {@code privateKey} and {@code privateKey + ".pub"}.
     *
     * @param privateKey where the private key goes (its folder must exist)
     * @param comment    the public key's comment, e.g. {@code fastvlm@emulated-device}
     * @return the public key file
     * @throws IOException if the files cannot be written
     */
    static Path generate(Path privateKey, String comment) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an RSA key: " + e.getMessage(), e);
        }
        String pem = "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
        Files.createFile(privateKey);
        try {
            Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user's temporary folder is already private to the user
        }
        Files.writeString(privateKey, pem, StandardCharsets.US_ASCII);
        Path publicKey = privateKey.resolveSibling(privateKey.getFileName() + ".pub");
        Files.writeString(publicKey, AndroidPublicKey.encode((RSAPublicKey) pair.getPublic(), comment) + "\n",
                StandardCharsets.US_ASCII);
        return publicKey;
    }
}

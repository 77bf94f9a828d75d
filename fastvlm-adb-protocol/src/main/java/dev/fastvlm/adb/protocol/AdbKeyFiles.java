package dev.fastvlm.adb.protocol;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * adb's key files as the adb client keeps them: {@code adbkey}, a PEM PKCS #8 RSA private key
 * readable only by its owner, and {@code adbkey.pub} beside it in adb's public-key format
 * ({@link AndroidPublicKey}).
 */
public final class AdbKeyFiles {

    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    private AdbKeyFiles() {
    }

    /**
     * Where the public key of {@code privateKey} lives: the same name with {@code .pub} added.
     *
     * @param privateKey the private key file
     * @return its public key file
     */
    public static Path publicKeyOf(Path privateKey) {
        return privateKey.resolveSibling(privateKey.getFileName() + ".pub");
    }

    /**
     * Generates a 2048-bit RSA key pair into {@code privateKey} and {@link #publicKeyOf its .pub}.
     * The private key file is created new (never overwritten) and made readable by its owner only
     * before the key is written to it.
     *
     * @param privateKey where the private key goes (its folder must exist, the file must not)
     * @param comment    the public key's comment, e.g. {@code user@host}
     * @return the public key file
     * @throws IOException if the files cannot be written, or {@code privateKey} exists already
     */
    public static Path generate(Path privateKey, String comment) throws IOException {
        KeyPair pair;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            pair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot generate an RSA key: " + e.getMessage(), e);
        }
        String pem = PEM_BEGIN + "\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(pair.getPrivate().getEncoded())
                + "\n" + PEM_END + "\n";
        Files.createFile(privateKey);
        try {
            Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user profile's ACL already keeps the key private.
        }
        Files.writeString(privateKey, pem, StandardCharsets.US_ASCII);
        Path publicKey = publicKeyOf(privateKey);
        Files.writeString(publicKey, AndroidPublicKey.encode((RSAPublicKey) pair.getPublic(), comment) + "\n",
                StandardCharsets.US_ASCII);
        return publicKey;
    }

    /**
     * Reads an {@code adbkey}: a PEM "PRIVATE KEY" (PKCS #8) block, as adb writes it.
     *
     * @param privateKey the file
     * @return the RSA private key
     * @throws IOException              if the file cannot be read
     * @throws GeneralSecurityException if it holds no PEM PKCS #8 RSA key
     */
    public static PrivateKey readPrivateKey(Path privateKey) throws IOException, GeneralSecurityException {
        String pem = Files.readString(privateKey, StandardCharsets.US_ASCII);
        int begin = pem.indexOf(PEM_BEGIN);
        int end = pem.indexOf(PEM_END);
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException(privateKey + " is not a PEM \"PRIVATE KEY\" file");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(begin + PEM_BEGIN.length(), end));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException(privateKey + " holds no base64 key: " + e.getMessage(), e);
        }
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }
}

package dev.fastvlm.adb;

import dadb.AdbKeyPair;
import dev.fastvlm.DeviceException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The host's RSA key for adbd authentication, where adb keeps it: {@code $ANDROID_USER_HOME/adbkey},
 * else {@code ~/.android/adbkey}, with {@code adbkey.pub} beside it. Created like adb does when it
 * is missing, so the phone shows its "Allow USB debugging?" prompt for a stable key.
 */
final class AdbKeys {

    private static final String PEM_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String PEM_END = "-----END PRIVATE KEY-----";

    private AdbKeys() {
    }

    static Path defaultPrivateKey() {
        String userHome = System.getenv("ANDROID_USER_HOME");
        Path dir = userHome != null && !userHome.isBlank()
                ? Path.of(userHome)
                : Path.of(System.getProperty("user.home"), ".android");
        return dir.resolve("adbkey");
    }

    static AdbKey load(Path privateKey) {
        Path publicKey = privateKey.resolveSibling(privateKey.getFileName() + ".pub");
        try {
            if (!Files.exists(privateKey)) {
                Files.createDirectories(privateKey.toAbsolutePath().getParent());
                AdbKeyPair.generate(privateKey.toFile(), publicKey.toFile());
                restrictToOwner(privateKey);
            }
            return new AdbKey(readPkcs8(privateKey), readPublicKey(publicKey));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new DeviceException("cannot read or create the adb key " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /** adb's {@code adbkey}: a PEM "PRIVATE KEY" (PKCS #8) block. */
    private static PrivateKey readPkcs8(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = pem.indexOf(PEM_BEGIN);
        int end = pem.indexOf(PEM_END);
        if (begin < 0 || end < begin) {
            throw new GeneralSecurityException("not a PEM \"PRIVATE KEY\" file");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(begin + PEM_BEGIN.length(), end));
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
    }

    /** adbd expects the public key file's text (base64 and a user name) with a terminating NUL. */
    private static byte[] readPublicKey(Path file) throws IOException {
        byte[] text = Files.readAllBytes(file);
        return Arrays.copyOf(text, text.length + 1);
    }

    private static void restrictToOwner(Path privateKey) throws IOException {
        try {
            Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user profile's ACL already keeps the key private.
        }
    }
}

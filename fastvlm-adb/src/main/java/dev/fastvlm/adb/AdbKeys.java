package dev.fastvlm.adb;

import dev.fastvlm.DeviceException;
import dev.fastvlm.adb.protocol.AdbKeyFiles;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;

/**
 * The host's RSA key for adbd authentication on {@linkplain AdbTransportBuilder#direct direct}
 * connections, where adb keeps it: {@code $ANDROID_USER_HOME/adbkey}, else
 * {@code ~/.android/adbkey}, with {@code adbkey.pub} beside it. Created like adb does when it is
 * missing, so the phone shows its "Allow USB debugging?" prompt for a stable key. (Through the adb
 * server, the server authenticates with its own key.)
 */
final class AdbKeys {

    private AdbKeys() {
    }

    static Path defaultPrivateKey() {
        String userHome = System.getenv("ANDROID_USER_HOME");
        Path dir = userHome != null && !userHome.isBlank()
                ? Path.of(userHome)
                : Path.of(System.getProperty("user.home"), ".android");
        return dir.resolve("adbkey");
    }

    /**
     * Reads the key pair, generating it first when the private key is missing.
     *
     * @throws DeviceException naming the file when it cannot be read or created
     */
    static AdbKey load(Path privateKey) {
        try {
            if (!Files.exists(privateKey)) {
                Files.createDirectories(privateKey.toAbsolutePath().getParent());
                try {
                    AdbKeyFiles.generate(privateKey, comment());
                } catch (FileAlreadyExistsException concurrent) {
                    // Another process (adb itself, another JVM) made it meanwhile: use theirs.
                }
            }
            return new AdbKey(AdbKeyFiles.readPrivateKey(privateKey),
                    readPublicKey(AdbKeyFiles.publicKeyOf(privateKey)));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new DeviceException("cannot read or create the adb key " + privateKey + ": " + e.getMessage(), e);
        }
    }

    /** adbd expects the public key file's text (base64 and a user name) with a terminating NUL. */
    private static byte[] readPublicKey(Path file) throws IOException {
        byte[] text = Files.readAllBytes(file);
        return Arrays.copyOf(text, text.length + 1);
    }

    /** As adb names its keys: {@code user@host}. */
    private static String comment() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "unknown";
        }
        return System.getProperty("user.name", "user") + "@" + host;
    }
}

package dev.fastvlm.adb;

import dadb.AdbKeyPair;
import dev.fastvlm.DeviceException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The host's RSA key for adbd authentication, where adb keeps it: {@code $ANDROID_USER_HOME/adbkey},
 * else {@code ~/.android/adbkey}, with {@code adbkey.pub} beside it. Created like adb does when it
 * is missing, so the phone shows its "Allow USB debugging?" prompt for a stable key.
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

    static AdbKeyPair load(Path privateKey) {
        Path publicKey = privateKey.resolveSibling(privateKey.getFileName() + ".pub");
        try {
            if (!Files.exists(privateKey)) {
                Files.createDirectories(privateKey.toAbsolutePath().getParent());
                AdbKeyPair.generate(privateKey.toFile(), publicKey.toFile());
                restrictToOwner(privateKey);
            }
            return AdbKeyPair.read(privateKey.toFile(), publicKey.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DeviceException("cannot read or create the adb key " + privateKey + ": " + e.getMessage(), e);
        }
    }

    private static void restrictToOwner(Path privateKey) throws IOException {
        try {
            Files.setPosixFilePermissions(privateKey, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // Windows: the user profile's ACL already keeps the key private.
        }
    }
}

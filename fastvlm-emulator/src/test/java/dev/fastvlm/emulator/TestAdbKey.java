package dev.fastvlm.emulator;

import dev.fastvlm.adb.protocol.AdbKeyFiles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An adb key pair of the tests' own (never the user's {@code ~/.android/adbkey}), made once per JVM
 * in a temporary folder, and emulator options that authorize it. Shared with other modules' tests
 * through this module's test jar.
 */
public final class TestAdbKey {
    private static TestAdbKey shared;

    private final Path privateKey;
    private final Path publicKey;

    private TestAdbKey(Path privateKey, Path publicKey) {
        this.privateKey = privateKey;
        this.publicKey = publicKey;
    }

    /**
     * A fresh key pair in {@code dir} ({@code adbkey} and {@code adbkey.pub}).
     *
     * @param dir an existing folder without an {@code adbkey}
     * @return the key
     */
    public static TestAdbKey create(Path dir) {
        try {
            Path key = dir.resolve("adbkey");
            return new TestAdbKey(key, AdbKeyFiles.generate(key, "fastvlm-tests@" + dir.getFileName()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return this JVM's test key, removed when the JVM exits */
    public static synchronized TestAdbKey shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("fastvlm-test-adbkey-");
                dir.toFile().deleteOnExit();
                shared = create(dir);
                shared.privateKey.toFile().deleteOnExit();
                shared.publicKey.toFile().deleteOnExit();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return shared;
    }

    /** @return emulator options that authorize the shared key */
    public static EmulatorOptions.Builder options() {
        return EmulatorOptions.builder().authorizedKeys(shared().publicKey());
    }

    /** @return the private key file ({@code adbkey}) */
    public Path privateKey() {
        return privateKey;
    }

    /** @return the public key file ({@code adbkey.pub}) */
    public Path publicKey() {
        return publicKey;
    }
}

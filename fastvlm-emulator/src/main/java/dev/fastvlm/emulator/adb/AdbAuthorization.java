package dev.fastvlm.emulator.adb;

import dev.fastvlm.adb.protocol.AdbAuthToken;
import dev.fastvlm.adb.protocol.AndroidPublicKey;

import dev.fastvlm.emulator.EmulatorOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which hosts the emulated adbd lets in, checked as adbd does ({@code adbd_auth_verify}): the
 * device sends a random 20-byte token, the host signs it with its adb key (RSA PKCS #1 v1.5 over a
 * SHA-1 DigestInfo whose digest is the token itself), and the signature must verify against one of
 * the authorized public keys. A host whose key is not authorized may offer its public key; a phone
 * would then ask its user, this device only logs it and leaves the connection unauthorized (Debian's
 * {@code adb devices} shows {@code unauthorized}).
 *
 * <p>The key files are read again at each verification, as adbd reads {@code adb_keys}: the adb
 * client creates {@code ~/.android/adbkey.pub} on its first run, which may be after the emulator
 * started.
 */
public final class AdbAuthorization {
    private static final Logger LOG = LoggerFactory.getLogger(AdbAuthorization.class);

    /** Key files larger than this are not read (an {@code adb_keys} line is about 720 bytes). */
    private static final long MAX_KEY_FILE_BYTES = 1 << 20;

    private final boolean required;
    private final List<Path> keyFiles;

    private AdbAuthorization(boolean required, List<Path> keyFiles) {
        this.required = required;
        this.keyFiles = List.copyOf(keyFiles);
    }

    /**
     * A device that asks for no authentication (like a phone with {@code ro.adb.secure=0}): anyone
     * who reaches the port is let in.
     *
     * @return the insecure authorization
     */
    public static AdbAuthorization insecure() {
        return new AdbAuthorization(false, List.of());
    }

    /**
     * Lets in the hosts whose public key is in one of these files (adb's format, one key a line;
     * a missing file holds no keys).
     *
     * @param keyFiles {@code adbkey.pub} or {@code adb_keys}-style files, read at each verification
     * @return the authorization
     */
    public static AdbAuthorization keys(List<Path> keyFiles) {
        keyFiles.forEach(f -> Objects.requireNonNull(f, "key file"));
        return new AdbAuthorization(true, keyFiles);
    }

    /**
     * Whom an emulator with these options lets in: everyone if {@link EmulatorOptions#insecure()},
     * else the user's own key ({@link #userPublicKey()}) and the options' authorized keys.
     *
     * @param options the emulator's options
     * @return the authorization
     */
    public static AdbAuthorization of(EmulatorOptions options) {
        if (options.insecure()) {
            return insecure();
        }
        List<Path> files = new ArrayList<>();
        files.add(userPublicKey());
        files.addAll(options.authorizedKeys());
        return keys(files);
    }

    /**
     * The public key of this user's adb client: {@code $ANDROID_USER_HOME/adbkey.pub} when that
     * variable is set, else {@code ~/.android/adbkey.pub} ({@code user.home}), where adb creates it.
     *
     * @return the path, whether the file exists yet or not
     */
    public static Path userPublicKey() {
        String androidUserHome = System.getenv("ANDROID_USER_HOME");
        Path dir = androidUserHome != null && !androidUserHome.isBlank()
                ? Path.of(androidUserHome)
                : Path.of(System.getProperty("user.home"), ".android");
        return dir.resolve("adbkey.pub");
    }

    /** @return whether connections must authenticate */
    boolean required() {
        return required;
    }

    /** @return the key files consulted, in order */
    List<Path> keyFiles() {
        return keyFiles;
    }

    /**
     * Checks a host's answer to a token.
     *
     * @param token     the token this device sent
     * @param signature what the host sent in its AUTH SIGNATURE
     * @return the comment ({@code user@host}) of the authorized key that verifies it, or empty
     */
    Optional<String> verify(byte[] token, byte[] signature) {
        if (token == null || token.length != AdbAuthToken.TOKEN_BYTES || signature.length != AndroidPublicKey.MODULUS_BYTES) {
            return Optional.empty();
        }
        for (AuthorizedKey key : authorizedKeys()) {
            if (AdbAuthToken.verify(key.key(), token, signature)) {
                return Optional.of(key.comment());
            }
        }
        return Optional.empty();
    }


    private List<AuthorizedKey> authorizedKeys() {
        List<AuthorizedKey> keys = new ArrayList<>();
        for (Path file : keyFiles) {
            List<String> lines;
            try {
                lines = readLines(file);
            } catch (NoSuchFileException e) {
                LOG.debug("no adb key file {} (yet)", file);
                continue;
            } catch (IOException e) {
                LOG.warn("cannot read the adb key file {}: {}", file, e.toString());
                continue;
            }
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).replace("\0", "").strip();
                if (line.isEmpty() || line.startsWith("#")) {
                    continue;
                }
                try {
                    keys.add(new AuthorizedKey(AndroidPublicKey.decode(line), AndroidPublicKey.comment(line)));
                } catch (IllegalArgumentException e) {
                    LOG.warn("ignoring line {} of the adb key file {}: {}", i + 1, file, e.getMessage());
                }
            }
        }
        return keys;
    }

    private static List<String> readLines(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] text = in.readNBytes((int) MAX_KEY_FILE_BYTES + 1);
            if (text.length > MAX_KEY_FILE_BYTES) {
                throw new IOException("larger than " + MAX_KEY_FILE_BYTES + " bytes, not an adb key file");
            }
            return new String(text, StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Override
    public String toString() {
        return required ? "keys from " + keyFiles : "insecure (no authentication)";
    }

    private record AuthorizedKey(RSAPublicKey key, String comment) {
    }
}

package dev.fastvlm.adb.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** adb's public-key format, checked against the key files Debian's adb writes. */
class AndroidPublicKeyTest {

    @Test
    void readsAndWritesTheKeyDebiansAdbMadeByteForByte(@TempDir Path dir) throws Exception {
        Path pub = debianAdbKey(dir).resolveSibling("adbkey.pub");
        String line = Files.readString(pub, StandardCharsets.US_ASCII).replace("\0", "").strip();
        RSAPublicKey decoded = AndroidPublicKey.decode(line);
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) AdbKeyFiles.readPrivateKey(pub.resolveSibling("adbkey"));
        assertThat(decoded.getModulus()).isEqualTo(priv.getModulus());
        assertThat(decoded.getPublicExponent()).isEqualTo(priv.getPublicExponent());
        // n0inv and R^2 mod n computed here equal adb's own
        String base64 = line.split("\\s+")[0];
        assertThat(AndroidPublicKey.encode(decoded, "x").split(" ")[0]).isEqualTo(base64);
        assertThat(AndroidPublicKey.comment(line)).isEqualTo(line.substring(line.indexOf(' ') + 1).strip());
    }

    @Test
    void refusesWhatAdbdRefuses() throws Exception {
        KeyPairGenerator small = KeyPairGenerator.getInstance("RSA");
        small.initialize(1024);
        assertThatThrownBy(() -> AndroidPublicKey.encode((RSAPublicKey) small.generateKeyPair().getPublic(), "x"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024 bits");
        assertThatThrownBy(() -> AndroidPublicKey.decode("not*base64 user@host"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not base64");
        assertThatThrownBy(() -> AndroidPublicKey.decode(Base64.getEncoder().encodeToString(new byte[100])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("524 bytes").hasMessageContaining("100");
        byte[] wrongSize = new byte[524];
        wrongSize[0] = 32;
        assertThatThrownBy(() -> AndroidPublicKey.decode(Base64.getEncoder().encodeToString(wrongSize)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("modulus of 32 words");
    }

    /** Debian's {@code adb keygen}: the key files the real adb client writes, without starting a server. */
    static Path debianAdbKey(Path dir) throws Exception {
        Path key = dir.resolve("adbkey");
        Process keygen = new ProcessBuilder("adb", "keygen", key.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(keygen.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).as("adb keygen finished").isTrue();
        assertThat(key).as("the key adb keygen wrote (install Debian's adb: .ci/run does)").exists();
        return key;
    }
}

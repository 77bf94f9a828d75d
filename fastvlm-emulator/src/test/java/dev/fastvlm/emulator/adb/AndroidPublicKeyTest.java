package dev.fastvlm.emulator.adb;

import dev.fastvlm.emulator.HostAdb;
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
        Path pub;
        try (HostAdb adb = HostAdb.start(dir.resolve("home"))) {
            pub = adb.publicKey();
        }
        String line = Files.readString(pub, StandardCharsets.US_ASCII).replace("\0", "").strip();
        RSAPublicKey decoded = AndroidPublicKey.decode(line);
        RSAPrivateCrtKey priv = (RSAPrivateCrtKey) RawAdbClient.readPrivateKey(pub.resolveSibling("adbkey"));
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
}

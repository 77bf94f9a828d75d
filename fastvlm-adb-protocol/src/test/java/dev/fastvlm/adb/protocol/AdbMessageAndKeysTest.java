package dev.fastvlm.adb.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AdbMessageAndKeysTest {

    @Test
    void aMessageReadsBackAsItWasWritten() throws Exception {
        byte[] payload = "shell,v2,raw:echo hi\0".getBytes(StandardCharsets.UTF_8);
        byte[] wire = AdbMessage.of(AdbMessage.OPEN, 7, 0, payload).encode();
        assertThat(wire).hasSize(AdbMessage.HEADER_BYTES + payload.length);
        AdbMessage back = AdbMessage.read(new ByteArrayInputStream(wire), AdbMessage.MAX_PAYLOAD, false);
        assertThat(back.command()).isEqualTo(AdbMessage.OPEN);
        assertThat(back.arg0()).isEqualTo(7);
        assertThat(back.payload()).isEqualTo(payload);
        assertThat(AdbMessage.name(back.command())).isEqualTo("OPEN");
        assertThat(AdbMessage.read(new ByteArrayInputStream(new byte[0]), 10, false)).isNull();
    }

    @Test
    void whatAdbdRefusesIsRefusedWithTheReason() throws Exception {
        byte[] wire = AdbMessage.of(AdbMessage.WRTE, 1, 2, new byte[] {1, 2, 3}).encode();
        byte[] badMagic = wire.clone();
        badMagic[20] ^= 1;
        assertThatThrownBy(() -> AdbMessage.read(new ByteArrayInputStream(badMagic), 100, true))
                .isInstanceOf(AdbMessage.MalformedMessageException.class).hasMessageContaining("bad magic");
        assertThatThrownBy(() -> AdbMessage.read(new ByteArrayInputStream(wire), 2, true))
                .isInstanceOf(AdbMessage.MalformedMessageException.class).hasMessageContaining("payload length 3")
                .hasMessageContaining("maximum 2");
        byte[] badSum = wire.clone();
        badSum[16] ^= 1;
        assertThatThrownBy(() -> AdbMessage.read(new ByteArrayInputStream(badSum), 100, false))
                .isInstanceOf(AdbMessage.MalformedMessageException.class).hasMessageContaining("checksum");
        assertThat(AdbMessage.read(new ByteArrayInputStream(badSum), 100, true).payload()).containsExactly(1, 2, 3);
        assertThatThrownBy(() -> AdbMessage.read(new ByteArrayInputStream(Arrays.copyOf(wire, 26)), 100, true))
                .isInstanceOf(EOFException.class);
    }

    @Test
    void generatedKeysSignTokensThatTheirPublicHalfVerifies(@TempDir Path dir) throws Exception {
        Path publicKey = AdbKeyFiles.generate(dir.resolve("adbkey"), "tester@host");
        assertThat(publicKey).isEqualTo(dir.resolve("adbkey.pub"));
        assertThat(Files.getPosixFilePermissions(dir.resolve("adbkey")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        String line = Files.readString(publicKey, StandardCharsets.US_ASCII).strip();
        assertThat(AndroidPublicKey.comment(line)).isEqualTo("tester@host");
        RSAPublicKey key = AndroidPublicKey.decode(line);
        PrivateKey privateKey = AdbKeyFiles.readPrivateKey(dir.resolve("adbkey"));
        byte[] token = new byte[AdbAuthToken.TOKEN_BYTES];
        Arrays.fill(token, (byte) 42);
        byte[] signature = AdbAuthToken.sign(privateKey, token);
        assertThat(signature).hasSize(AndroidPublicKey.MODULUS_BYTES);
        assertThat(AdbAuthToken.verify(key, token, signature)).isTrue();
        token[0] = 0;
        assertThat(AdbAuthToken.verify(key, token, signature)).isFalse();
        assertThat(AdbAuthToken.verify(key, token, new byte[AndroidPublicKey.MODULUS_BYTES])).isFalse();
        assertThatThrownBy(() -> AdbKeyFiles.generate(dir.resolve("adbkey"), "again"))
                .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
    }

    @Test
    void theKeyDebiansAdbWroteSignsTokensOurVerifierAccepts(@TempDir Path dir) throws Exception {
        Path key = AndroidPublicKeyTest.debianAdbKey(dir);
        byte[] token = new byte[AdbAuthToken.TOKEN_BYTES];
        byte[] signature = AdbAuthToken.sign(AdbKeyFiles.readPrivateKey(key), token);
        RSAPublicKey publicKey = AndroidPublicKey.decode(Files.readString(AdbKeyFiles.publicKeyOf(key)).replace("\0", ""));
        assertThat(AdbAuthToken.verify(publicKey, token, signature)).isTrue();
    }

    @Test
    void aFileThatIsNoKeyIsNamedInTheError(@TempDir Path dir) throws Exception {
        Path notKey = Files.writeString(dir.resolve("adbkey"), "hello");
        assertThatThrownBy(() -> AdbKeyFiles.readPrivateKey(notKey))
                .isInstanceOf(java.security.GeneralSecurityException.class).hasMessageContaining(notKey.toString());
    }
}

package dev.fastvlm.emulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** A 300 MB push and pull with Debian's adb, byte-identical both ways (about 20 s, part of every build). */
class LargeTransferTest {

    @Test
    void threeHundredMegabytesRoundTripByteIdentically(@TempDir Path dir) throws Exception {
        Path local = dir.resolve("big.bin");
        byte[] block = new byte[1 << 20];
        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        Random random = new Random(300);
        try (OutputStream out = Files.newOutputStream(local)) {
            for (int i = 0; i < 300; i++) {
                random.nextBytes(block);
                sent.update(block);
                out.write(block);
            }
        }
        String sentHash = HexFormat.of().formatHex(sent.digest());
        try (HostAdb adb = HostAdb.start(dir.resolve("adb-home"));
             DeviceEmulator device = DeviceEmulator.start(EmulatorOptions.builder().authorizedKeys(adb.publicKey()).build())) {
            adb.connect(device.serial());
            HostAdb.Result push = adb.run(600, "-s", device.serial(), "push", local.toString(), "/sdcard/big.bin");
            assertThat(push.exitCode()).as(push.toString()).isZero();
            Files.delete(local);
            Path back = dir.resolve("back.bin");
            HostAdb.Result pull = adb.run(600, "-s", device.serial(), "pull", "/sdcard/big.bin", back.toString());
            assertThat(pull.exitCode()).as(pull.toString()).isZero();
            assertThat(back).hasSize(300L << 20);
            MessageDigest received = MessageDigest.getInstance("SHA-256");
            try (var in = Files.newInputStream(back)) {
                int n;
                while ((n = in.read(block)) > 0) {
                    received.update(block, 0, n);
                }
            }
            assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(sentHash);
        }
    }
}

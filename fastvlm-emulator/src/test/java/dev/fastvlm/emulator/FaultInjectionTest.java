package dev.fastvlm.emulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FaultInjectionTest {

    private static EmulatorFaults faults(long drop, long rate, long disk) {
        return new EmulatorFaults(drop, rate, disk, Map.of(), Set.of());
    }

    @Test
    void connectionDropsAfterTheConfiguredBytesAndTheDeviceServesTheNextOne(@TempDir Path dir) throws Exception {
        EmulatorOptions options = TestAdbKey.options().faults(faults(20_000, 0, 0)).build();
        try (DeviceEmulator device = DeviceEmulator.start(options)) {
            Files.write(device.hostPath("/sdcard/big.bin"), new byte[100_000]);
            try (TestAdbClient adb = TestAdbClient.connect(device)) {
                assertThatThrownBy(() -> adb.pull("/sdcard/big.bin", dir.resolve("big.bin")))
                        .isInstanceOf(IOException.class);
            }
            try (TestAdbClient adb = TestAdbClient.connect(device)) {
                assertThat(adb.shell("echo again").stdout()).isEqualTo("again\n");
            }
        }
    }

    @Test
    void fullDiskRefusesPushesBeyondItsCapacity(@TempDir Path dir) throws Exception {
        EmulatorOptions options = TestAdbKey.options().faults(faults(0, 0, 1000)).build();
        Path small = Files.write(dir.resolve("small"), new byte[600]);
        Path large = Files.write(dir.resolve("large"), new byte[600]);
        try (DeviceEmulator device = DeviceEmulator.start(options);
             TestAdbClient adb = TestAdbClient.connect(device)) {
            adb.push(small, "/data/local/tmp/small", 0644);
            assertThatThrownBy(() -> adb.push(large, "/data/local/tmp/large", 0644))
                    .isInstanceOf(IOException.class).hasMessageContaining("FAIL");
            assertThat(device.hostPath("/data/local/tmp/small")).hasSize(600);
            assertThat(device.hostPath("/data/local/tmp/large")).doesNotExist();
            try (var files = Files.list(device.hostPath("/data/local/tmp"))) {
                assertThat(files.map(p -> p.getFileName().toString())).containsExactly("small");
            }
        }
    }

    @Test
    void slowLinkThrottlesWhatTheDeviceSends(@TempDir Path dir) throws Exception {
        EmulatorOptions options = TestAdbKey.options().faults(faults(0, 200_000, 0)).build();
        try (DeviceEmulator device = DeviceEmulator.start(options);
             TestAdbClient adb = TestAdbClient.connect(device)) {
            Files.write(device.hostPath("/sdcard/f.bin"), new byte[100_000]);
            long start = System.nanoTime();
            adb.pull("/sdcard/f.bin", dir.resolve("f.bin"));
            // 100 kB at 200 kB/s cannot arrive in less than half a second, however fast the machine
            assertThat((System.nanoTime() - start) / 1e9).isGreaterThanOrEqualTo(0.45);
            assertThat(dir.resolve("f.bin")).hasSize(100_000);
        }
    }

    @Test
    void severalEmulatorsRunAtOnce() throws Exception {
        try (DeviceEmulator a = DeviceEmulator.start(TestAdbKey.options().soc(EmulatedSoc.SM8550).build());
             DeviceEmulator b = DeviceEmulator.start(TestAdbKey.options().soc(EmulatedSoc.SM8750).build());
             TestAdbClient da = TestAdbClient.connect(a);
             TestAdbClient db = TestAdbClient.connect(b)) {
            assertThat(a.port()).isNotEqualTo(b.port());
            assertThat(a.sandbox()).isNotEqualTo(b.sandbox());
            assertThat(da.shell("getprop ro.soc.model").stdout()).isEqualTo("SM8550\n");
            assertThat(db.shell("getprop ro.soc.model").stdout()).isEqualTo("SM8750\n");
            assertThat(a.serial()).isEqualTo("127.0.0.1:" + a.port());
        }
    }

    @Test
    void temporarySandboxIsRemovedOnClose() {
        Path sandbox;
        try (DeviceEmulator device = DeviceEmulator.start(TestAdbKey.options().build())) {
            sandbox = device.sandbox();
            assertThat(sandbox.resolve("system/bin/getprop")).isExecutable();
        }
        assertThat(sandbox).doesNotExist();
    }
}

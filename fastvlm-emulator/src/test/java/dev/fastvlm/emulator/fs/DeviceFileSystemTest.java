package dev.fastvlm.emulator.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceFileSystemTest {
    @TempDir
    Path dir;

    @Test
    void devicePathsMapUnderTheRoot() throws Exception {
        DeviceFileSystem fs = new DeviceFileSystem(dir.resolve("root"));
        assertThat(fs.resolve("/data/local/tmp/a.bin")).isEqualTo(fs.root().resolve("data/local/tmp/a.bin"));
        assertThat(fs.resolve("/data/./x/../y")).isEqualTo(fs.root().resolve("data/y"));
        assertThat(fs.resolve("/")).isEqualTo(fs.root());
        assertThat(fs.devicePath(fs.root().resolve("sdcard/a"))).isEqualTo("/sdcard/a");
    }

    @Test
    void escapesAreRefused() throws Exception {
        DeviceFileSystem fs = new DeviceFileSystem(dir.resolve("root"));
        assertThatThrownBy(() -> fs.resolve("/data/../../etc/passwd"))
                .isInstanceOf(DeviceFileSystem.SandboxEscapeException.class).hasMessageContaining("climbs above /");
        assertThatThrownBy(() -> fs.resolve("data/x")).hasMessageContaining("must be absolute");
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.createDirectories(fs.root().resolve("sdcard"));
        Files.createSymbolicLink(fs.root().resolve("sdcard/out"), outside);
        assertThatThrownBy(() -> fs.resolve("/sdcard/out/new.txt")).hasMessageContaining("outside the sandbox");
        Files.createSymbolicLink(fs.root().resolve("sdcard/dangling"), dir.resolve("nowhere"));
        assertThatThrownBy(() -> fs.resolve("/sdcard/dangling")).hasMessageContaining("dangling");
    }

    @Test
    void linksThatStayInsideAreAllowed() throws Exception {
        DeviceFileSystem fs = new DeviceFileSystem(dir.resolve("root"));
        Path data = Files.createDirectories(fs.root().resolve("data"));
        Files.createSymbolicLink(fs.root().resolve("d"), data);
        assertThat(fs.resolve("/d/f")).isEqualTo(fs.root().resolve("d/f"));
    }
}

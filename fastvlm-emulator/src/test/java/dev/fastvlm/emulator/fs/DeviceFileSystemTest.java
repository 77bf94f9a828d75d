package dev.fastvlm.emulator.fs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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
        Files.createDirectories(fs.root().resolve(DeviceFileSystem.STORAGE));
        Files.createSymbolicLink(fs.root().resolve(DeviceFileSystem.STORAGE + "/out"), outside);
        assertThatThrownBy(() -> fs.resolve("/sdcard/out/new.txt")).hasMessageContaining("outside the sandbox");
        Files.createSymbolicLink(fs.root().resolve(DeviceFileSystem.STORAGE + "/dangling"), dir.resolve("nowhere"));
        assertThatThrownBy(() -> fs.resolve("/sdcard/dangling")).hasMessageContaining("dangling");
    }

    @Test
    void storageAliasesAreTheEmulatedStorage() throws Exception {
        assertThat(DeviceFileSystem.components("/sdcard/a/b")).containsExactly("data", "media", "0", "a", "b");
        assertThat(DeviceFileSystem.components("/storage/emulated/0")).containsExactly("data", "media", "0");
        assertThat(DeviceFileSystem.components("/sdcardx/a")).containsExactly("sdcardx", "a");
        assertThat(DeviceFileSystem.components("/data/../sdcard/./x")).containsExactly("data", "media", "0", "x");
        assertThat(DeviceFileSystem.components("/")).isEmpty();
    }

    @Test
    void openedFoldersAreReachedWithoutFollowingLinks() throws Exception {
        DeviceFileSystem fs = new DeviceFileSystem(dir.resolve("root"));
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "host");
        Path data = Files.createDirectories(fs.root().resolve("data/a"));
        Files.createSymbolicLink(data.resolve("out"), outside);
        Files.createSymbolicLink(fs.root().resolve("data/inside"), data);
        try (DeviceFileSystem.DeviceDirectory a = fs.openDirectory(List.of("data", "a"), false)) {
            assertThat(Files.isDirectory(a.path().resolve("out"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        }
        assertThatThrownBy(() -> fs.openDirectory(List.of("data", "a", "out"), false))
                .isInstanceOf(DeviceFileSystem.SandboxEscapeException.class).hasMessageContaining("symbolic link");
        // even a link that stays inside is not entered: the walk never follows one
        assertThatThrownBy(() -> fs.openDirectory(List.of("data", "inside"), true))
                .isInstanceOf(DeviceFileSystem.SandboxEscapeException.class);
        assertThatThrownBy(() -> fs.openDirectory(List.of("data", "a", "out", "new"), true))
                .isInstanceOf(DeviceFileSystem.SandboxEscapeException.class);
        assertThat(outside.resolve("new")).doesNotExist();
        try (DeviceFileSystem.DeviceDirectory made = fs.openDirectory(List.of("data", "b", "c"), true)) {
            Files.writeString(made.path().resolve("f"), "x");
        }
        assertThat(fs.root().resolve("data/b/c/f")).hasContent("x");
        assertThatThrownBy(() -> fs.openDirectory(List.of("data", "missing"), false))
                .isInstanceOf(java.nio.file.NoSuchFileException.class);
    }

    @Test
    void linksThatStayInsideAreAllowed() throws Exception {
        DeviceFileSystem fs = new DeviceFileSystem(dir.resolve("root"));
        Path data = Files.createDirectories(fs.root().resolve("data"));
        Files.createSymbolicLink(fs.root().resolve("d"), data);
        assertThat(fs.resolve("/d/f")).isEqualTo(fs.root().resolve("d/f"));
    }
}

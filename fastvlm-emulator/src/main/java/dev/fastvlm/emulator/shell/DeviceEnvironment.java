package dev.fastvlm.emulator.shell;

import java.util.LinkedHashMap;
import java.util.Map;

/** The environment an {@code adb shell} on the emulated phone starts with, as on Android: no host path in it. */
final class DeviceEnvironment {
    private DeviceEnvironment() {
    }

    static Map<String, String> variables() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/system/bin:/system/xbin:/vendor/bin");
        env.put("HOME", "/");
        env.put("TMPDIR", "/data/local/tmp");
        env.put("USER", "shell");
        env.put("LOGNAME", "shell");
        env.put("SHELL", "/system/bin/sh");
        env.put("HOSTNAME", "localhost");
        env.put("TERM", "dumb");
        env.put("ANDROID_ROOT", "/system");
        env.put("ANDROID_DATA", "/data");
        env.put("ANDROID_STORAGE", "/storage");
        env.put("EXTERNAL_STORAGE", "/sdcard");
        return env;
    }
}

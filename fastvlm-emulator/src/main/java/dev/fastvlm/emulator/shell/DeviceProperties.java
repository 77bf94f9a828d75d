package dev.fastvlm.emulator.shell;

import dev.fastvlm.emulator.EmulatedSoc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The system properties of the emulated phone, served by a {@code getprop} program in the
 * sandbox's {@code /system/bin} (a small POSIX shell script over {@code /system/build.prop}).
 * Every model and product name says "emulated", so no log can mistake it for a phone.
 */
public final class DeviceProperties {
    private static final String GETPROP = """
            #!/bin/sh
            # getprop of the fastvlm emulated device: reads ../build.prop next to this script
            props="$(dirname "$0")/../build.prop"
            if [ $# -eq 0 ]; then
              sed 's/^\\([^=]*\\)=\\(.*\\)$/[\\1]: [\\2]/' "$props"
              exit 0
            fi
            awk -v k="$1" -v d="$2" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); f = 1; exit }
              END { if (!f) print d }' "$props"
            """;

    private final Map<String, String> properties;

    private DeviceProperties(Map<String, String> properties) {
        this.properties = properties;
    }

    /**
     * The properties of an emulated phone with chip {@code soc}: Android 15 (SDK 35), arm64-v8a, and the chip's
     * {@code ro.soc.model} and {@code ro.board.platform}.
     *
     * @param soc the emulated chip
     * @return the properties
     */
    public static DeviceProperties of(EmulatedSoc soc) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("ro.product.name", "fastvlm_emulator");
        p.put("ro.product.model", "FastVLM emulated " + soc.name());
        p.put("ro.product.device", "fastvlm_emulator_" + soc.platform());
        p.put("ro.product.manufacturer", "fastvlm-emulator");
        p.put("ro.product.brand", "fastvlm-emulator");
        p.put("ro.product.cpu.abi", "arm64-v8a");
        p.put("ro.product.cpu.abilist", "arm64-v8a");
        p.put("ro.soc.manufacturer", "QTI");
        p.put("ro.soc.model", soc.name());
        p.put("ro.board.platform", soc.platform());
        p.put("ro.hardware", "qcom");
        p.put("ro.build.version.release", "15");
        p.put("ro.build.version.sdk", "35");
        p.put("ro.build.type", "userdebug");
        p.put("ro.serialno", "fastvlm-emulated-" + soc.name().toLowerCase(Locale.ROOT));
        p.put("ro.fastvlm.emulated", "1");
        p.put("ro.fastvlm.htp.arch", soc.dspArch());
        return new DeviceProperties(Collections.unmodifiableMap(p));
    }

    /** {@return every property, by name, in a fixed order} */
    public Map<String, String> asMap() {
        return properties;
    }

    /**
     * The CNXN banner: {@code device::ro.product.name=..;ro.product.model=..;ro.product.device=..;features=..}.
     *
     * @param features the comma-separated features adbd announces, for example {@code shell_v2,cmd}
     * @return the banner
     */
    public String banner(String features) {
        return "device::ro.product.name=" + properties.get("ro.product.name") + ";ro.product.model="
                + properties.get("ro.product.model") + ";ro.product.device=" + properties.get("ro.product.device")
                + ";features=" + features;
    }

    /**
     * Writes {@code /system/build.prop} and {@code /system/bin/getprop} into the sandbox.
     *
     * @param root the sandbox folder (the device's {@code /})
     * @throws IOException when a file cannot be written
     */
    public void install(Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve("system/bin"));
        StringBuilder buildProp = new StringBuilder();
        properties.forEach((k, v) -> buildProp.append(k).append('=').append(v).append('\n'));
        DeviceFiles.writeAtomically(root.resolve("system/build.prop"), buildProp.toString(), "rw-r--r--");
        DeviceFiles.writeAtomically(bin.resolve("getprop"), GETPROP, "rwxr-xr-x");
    }
}

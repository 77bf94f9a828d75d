package dev.fastvlm.adb;

import java.util.Objects;
import java.util.Optional;

/**
 * What a device says about itself through its system properties.
 *
 * @param serial         the ADB serial it was reached by
 * @param socModel       {@code ro.soc.model}, e.g. {@code SM8750} (empty on devices that lack it)
 * @param product        {@code ro.product.model}, e.g. {@code SM-S938B}
 * @param androidVersion {@code ro.build.version.release}, e.g. {@code 15}
 * @param sdkLevel       {@code ro.build.version.sdk}, or -1 when not a number
 * @param abi            {@code ro.product.cpu.abi}, e.g. {@code arm64-v8a}
 */
public record DeviceFacts(String serial, String socModel, String product, String androidVersion,
                          int sdkLevel, String abi) {

    /**
     * Checks that every text is present (an absent property is an empty text).
     *
     * @param serial the ADB serial it was reached by
     * @param socModel {@code ro.soc.model}, e.g. {@code SM8750} (empty on devices that lack it)
     * @param product {@code ro.product.model}, e.g. {@code SM-S938B}
     * @param androidVersion {@code ro.build.version.release}, e.g. {@code 15}
     * @param sdkLevel {@code ro.build.version.sdk}, or -1 when not a number
     * @param abi {@code ro.product.cpu.abi}, e.g. {@code arm64-v8a}
     * @throws NullPointerException when a text is null
     */
    public DeviceFacts {
        Objects.requireNonNull(serial, "serial");
        Objects.requireNonNull(socModel, "socModel");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(androidVersion, "androidVersion");
        Objects.requireNonNull(abi, "abi");
    }

    /**
     * The HTP architecture of this device's chip, as {@code table} knows it.
     *
     * @param table the chip table, normally the one of {@code fastvlm-genie-config}
     * @return the architecture such as {@code v79}, or empty when the chip is unknown or not reported
     */
    public Optional<String> htpArch(HtpArchLookup table) {
        return socModel.isEmpty() ? Optional.empty() : table.htpArch(socModel);
    }

    static final String GETPROP_SCRIPT = "getprop ro.soc.model; getprop ro.product.model; "
            + "getprop ro.build.version.release; getprop ro.build.version.sdk; getprop ro.product.cpu.abi";

    /** Parses the five lines {@link #GETPROP_SCRIPT} prints. */
    static DeviceFacts parse(String serial, String getpropOutput) {
        String[] lines = (getpropOutput + "\n\n\n\n\n").split("\n", -1);
        int sdk;
        try {
            sdk = Integer.parseInt(lines[3].strip());
        } catch (NumberFormatException e) {
            sdk = -1;
        }
        return new DeviceFacts(serial, lines[0].strip(), lines[1].strip(), lines[2].strip(), sdk, lines[4].strip());
    }
}

package dev.fastvlm.emulator;

import java.util.Arrays;
import java.util.Locale;

/**
 * The Snapdragon chips the emulator can pretend to be, with the HTP architecture and SoC model
 * number of the real ones (Qualcomm's tables: docs/qualcomm-formats.md, section 9).
 */
public enum EmulatedSoc {
    /** Snapdragon 8 Gen 2 ({@code kalama}): {@code soc_model} 43, HTP v73. */
    SM8550("Snapdragon 8 Gen 2", "kalama", 43, "v73"),
    /** Snapdragon 8 Gen 3 ({@code pineapple}): {@code soc_model} 57, HTP v75. */
    SM8650("Snapdragon 8 Gen 3", "pineapple", 57, "v75"),
    /** Snapdragon 8 Elite ({@code sun}): {@code soc_model} 69, HTP v79. */
    SM8750("Snapdragon 8 Elite", "sun", 69, "v79");

    private final String marketingName;
    private final String platform;
    private final int socModel;
    private final String dspArch;

    EmulatedSoc(String marketingName, String platform, int socModel, String dspArch) {
        this.marketingName = marketingName;
        this.platform = platform;
        this.socModel = socModel;
        this.dspArch = dspArch;
    }

    /** {@return the chip's marketing name, for example {@code Snapdragon 8 Elite}} */
    public String marketingName() {
        return marketingName;
    }

    /**
     * {@code ro.board.platform}.
     *
     * @return the platform's code name, for example {@code sun}
     */
    public String platform() {
        return platform;
    }

    /**
     * The {@code soc_model} number of the HTP backend extension config.
     *
     * @return QNN's number for the chip, for example 69
     */
    public int socModel() {
        return socModel;
    }

    /** {@return the Hexagon architecture, e.g. {@code v79}} */
    public String dspArch() {
        return dspArch;
    }

    /**
     * The chip named like {@code ro.soc.model} (case-insensitive).
     *
     * @param model a chip name such as {@code SM8750}
     * @return the chip
     * @throws IllegalArgumentException when the emulator does not know the chip
     */
    public static EmulatedSoc fromModel(String model) {
        return Arrays.stream(values()).filter(s -> s.name().equals(model.toUpperCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown SoC " + model + "; the emulator knows "
                        + Arrays.toString(values())));
    }
}

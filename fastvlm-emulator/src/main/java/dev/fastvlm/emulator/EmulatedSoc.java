package dev.fastvlm.emulator;

import java.util.Arrays;
import java.util.Locale;

/**
 * The Snapdragon chips the emulator can pretend to be, with the HTP architecture and SoC model
 * number of the real ones (Qualcomm's tables, as in the project's facts page, section 7).
 */
public enum EmulatedSoc {
    SM8550("Snapdragon 8 Gen 2", "kalama", 43, "v73"),
    SM8650("Snapdragon 8 Gen 3", "pineapple", 57, "v75"),
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

    public String marketingName() {
        return marketingName;
    }

    /** {@code ro.board.platform}. */
    public String platform() {
        return platform;
    }

    /** The {@code soc_model} number of the HTP backend extension config. */
    public int socModel() {
        return socModel;
    }

    /** The Hexagon architecture, e.g. {@code v79}. */
    public String dspArch() {
        return dspArch;
    }

    /** The chip named like {@code ro.soc.model} (case-insensitive). */
    public static EmulatedSoc fromModel(String model) {
        return Arrays.stream(values()).filter(s -> s.name().equals(model.toUpperCase(Locale.ROOT))).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown SoC " + model + "; the emulator knows "
                        + Arrays.toString(values())));
    }
}

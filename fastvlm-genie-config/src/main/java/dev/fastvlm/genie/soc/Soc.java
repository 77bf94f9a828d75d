package dev.fastvlm.genie.soc;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The Snapdragon chips this project knows, the one table mapping a chip ({@code getprop
 * ro.soc.model}, or its marketing name) to QNN's {@code soc_model} number and its HTP architecture.
 * All listed chips have HTP v73 or newer, which Genie requires. Sources: docs/qualcomm-formats.md,
 * section 9.
 */
public enum Soc {
    /** Snapdragon 8 Gen 2: {@code soc_model} 43, HTP v73. */
    SM8550("Snapdragon 8 Gen 2", 43, HtpArch.V73),
    /** Snapdragon 8 Gen 3: {@code soc_model} 57, HTP v75. */
    SM8650("Snapdragon 8 Gen 3", 57, HtpArch.V75),
    /** Snapdragon 8 Elite: {@code soc_model} 69, HTP v79. */
    SM8750("Snapdragon 8 Elite", 69, HtpArch.V79),
    /** Snapdragon X Elite: {@code soc_model} 60, HTP v73. */
    SC8380XP("Snapdragon X Elite", 60, HtpArch.V73);

    private final String marketingName;
    private final int socModel;
    private final HtpArch htpArch;

    Soc(String marketingName, int socModel, HtpArch htpArch) {
        this.marketingName = marketingName;
        this.socModel = socModel;
        this.htpArch = htpArch;
    }

    /** {@return the value of {@code ro.soc.model}, e.g. {@code SM8750}} */
    public String chip() {
        return name();
    }

    /**
     * e.g. {@code Snapdragon 8 Elite}.
     *
     * @return the chip's marketing name, for example {@code Snapdragon 8 Elite}
     */
    public String marketingName() {
        return marketingName;
    }

    /** {@return QNN's {@code soc_model} number, e.g. 69} */
    public int socModel() {
        return socModel;
    }

    /**
     * The chip's Hexagon Tensor Processor generation.
     *
     * @return the HTP architecture, which names the DSP libraries to push
     */
    public HtpArch htpArch() {
        return htpArch;
    }

    /**
     * The chip named {@code chip}: an {@code ro.soc.model} value such as {@code SM8750} or a
     * marketing name such as {@code Snapdragon 8 Elite} (case and surrounding blanks ignored).
     *
     * @param chip an {@code ro.soc.model} value or a marketing name; {@code null} counts as blank
     * @return the chip
     * @throws UnsupportedSocException listing the known chips
     */
    public static Soc fromChip(String chip) {
        String wanted = chip == null ? "" : chip.trim();
        return Arrays.stream(values())
                .filter(s -> s.name().equalsIgnoreCase(wanted) || s.marketingName.equalsIgnoreCase(wanted))
                .findFirst()
                .orElseThrow(() -> new UnsupportedSocException("unknown Snapdragon chip \"" + wanted
                        + "\"; known chips: " + known()));
    }

    /**
     * The chip with QNN {@code soc_model} number {@code socModel}.
     *
     * @param socModel QNN's {@code soc_model} number
     * @return the chip
     * @throws UnsupportedSocException when no known chip has that number; the message lists the known chips
     */
    public static Soc fromSocModel(int socModel) {
        return Arrays.stream(values()).filter(s -> s.socModel == socModel).findFirst()
                .orElseThrow(() -> new UnsupportedSocException("unknown soc_model " + socModel + "; known chips: "
                        + known()));
    }

    private static String known() {
        return Arrays.stream(values())
                .map(s -> s.name() + " (" + s.marketingName + ", soc_model " + s.socModel + ", "
                        + s.htpArch.dspArch() + ")")
                .collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return name() + " (" + marketingName + ")";
    }
}

package dev.fastvlm.adb;

import java.util.Optional;

/**
 * Maps a chip name ({@code ro.soc.model}, e.g. {@code SM8750}) to its Hexagon HTP architecture
 * (e.g. {@code v79}). The table itself belongs to fastvlm-genie-config; this seam keeps the ADB
 * module from owning a second copy of it.
 */
@FunctionalInterface
public interface HtpArchLookup {
    /**
     * The HTP architecture of a chip.
     *
     * @param socModel the chip's {@code ro.soc.model} value, for example {@code SM8750}
     * @return the architecture such as {@code v79}, or empty for a chip the table does not know
     */
    Optional<String> htpArch(String socModel);
}

package dev.fastvlm.adb;

import java.util.Optional;

/**
 * Maps a chip name ({@code ro.soc.model}, e.g. {@code SM8750}) to its Hexagon HTP architecture
 * (e.g. {@code v79}). The table itself belongs to fastvlm-genie-config; this seam keeps the ADB
 * module from owning a second copy of it.
 */
@FunctionalInterface
public interface HtpArchLookup {
    Optional<String> htpArch(String socModel);
}

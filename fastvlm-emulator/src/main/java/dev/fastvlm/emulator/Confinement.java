package dev.fastvlm.emulator;

import java.util.Locale;

/**
 * How the emulator keeps what a client runs on the emulated device away from the host. Whichever
 * is used, the device's shell never runs as an ordinary host shell.
 */
public enum Confinement {
    /** {@link #NAMESPACES} where bubblewrap and user namespaces work here, else {@link #RESTRICTED}. */
    AUTO,
    /**
     * A POSIX shell and the emulated tools inside Linux namespaces made by bubblewrap ({@code bwrap}):
     * the device tree is the whole file system, there is no network, and the shell runs as
     * {@code uid 2000 (shell)}. The emulator does not start where this is unavailable.
     */
    NAMESPACES,
    /**
     * A small shell interpreter in the emulator that runs the emulated tools and a fixed set of
     * file commands, every path checked to stay inside the device tree; for hosts without
     * bubblewrap or user namespaces.
     */
    RESTRICTED;

    /** The system property that sets the default confinement: {@code auto}, {@code namespaces} or {@code restricted}. */
    public static final String PROPERTY = "fastvlm.emulator.confinement";

    /**
     * The confinement the {@link #PROPERTY} system property names, {@link #AUTO} when it is unset.
     *
     * @return the configured confinement
     * @throws IllegalArgumentException if the property names no confinement
     */
    public static Confinement fromSystemProperty() {
        String value = System.getProperty(PROPERTY, "").strip();
        if (value.isEmpty()) {
            return AUTO;
        }
        try {
            return valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("system property " + PROPERTY + " must be auto, namespaces or restricted,"
                    + " was " + value, e);
        }
    }
}

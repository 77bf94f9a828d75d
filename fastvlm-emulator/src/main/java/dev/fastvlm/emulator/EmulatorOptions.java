package dev.fastvlm.emulator;

import dev.fastvlm.emulator.adb.AdbAuthorization;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a {@link DeviceEmulator}. Defaults: an ephemeral port, an SM8750 (Snapdragon 8
 * Elite), a fresh temporary sandbox deleted on close, ADB authentication that lets in only the
 * user's own adb key ({@code ~/.android/adbkey.pub}, see {@link AdbAuthorization#userPublicKey()})
 * and the keys given with {@link Builder#authorizedKeys}, {@link EmulatedTiming#INSTANT}, no faults,
 * {@value #DEFAULT_MAX_STREAMS} streams per connection, {@value #DEFAULT_MAX_PROCESSES} services
 * running processes at once, emulated tools run with this JVM's {@code java} and class path, and the
 * confinement the system property {@value Confinement#PROPERTY} names ({@link Confinement#AUTO} when
 * unset), and no class data sharing for the emulated tools.
 */
public final class EmulatorOptions {
    private final int port;
    private final EmulatedSoc soc;
    private final Path sandbox;
    /** Open streams one ADB connection may have by default. */
    public static final int DEFAULT_MAX_STREAMS = 64;
    /** Services running device processes (shells, {@code exec:}) at once, emulator-wide, by default. */
    public static final int DEFAULT_MAX_PROCESSES = 32;

    private final List<Path> authorizedKeys;
    private final boolean insecure;
    private final int maxStreamsPerConnection;
    private final int maxProcesses;
    private final EmulatedTiming timing;
    private final EmulatorFaults faults;
    private final String javaCommand;
    private final String toolClasspath;
    private final Confinement confinement;
    private final boolean toolClassSharing;

    private EmulatorOptions(Builder b) {
        this.port = b.port;
        this.soc = b.soc;
        this.sandbox = b.sandbox;
        this.authorizedKeys = List.copyOf(b.authorizedKeys);
        this.insecure = b.insecure;
        this.maxStreamsPerConnection = b.maxStreamsPerConnection;
        this.maxProcesses = b.maxProcesses;
        this.timing = b.timing;
        this.faults = b.faults;
        this.javaCommand = b.javaCommand;
        this.toolClasspath = b.toolClasspath;
        this.confinement = b.confinement;
        this.toolClassSharing = b.toolClassSharing;
    }

    /**
     * The options described above.
     *
     * @return the default options
     */
    public static EmulatorOptions defaults() {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding these options, to derive others from them.
     *
     * @return a new builder with every setting of this one
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.port = port;
        b.soc = soc;
        b.sandbox = sandbox;
        b.authorizedKeys.addAll(authorizedKeys);
        b.insecure = insecure;
        b.maxStreamsPerConnection = maxStreamsPerConnection;
        b.maxProcesses = maxProcesses;
        b.timing = timing;
        b.faults = faults;
        b.javaCommand = javaCommand;
        b.toolClasspath = toolClasspath;
        b.confinement = confinement;
        b.toolClassSharing = toolClassSharing;
        return b;
    }

    /** {@return the ADB port to listen on; 0 for a free one} */
    public int port() {
        return port;
    }

    /** {@return the chip the emulated device reports} */
    public EmulatedSoc soc() {
        return soc;
    }

    /**
     * The host folder for the device's files; empty for a temporary one.
     *
     * @return the sandbox folder, or empty for a temporary one deleted on close
     */
    public Optional<Path> sandbox() {
        return Optional.ofNullable(sandbox);
    }

    /**
     * The public-key files given with {@link Builder#authorizedKeys}, besides the user's own.
     *
     * @return the files, in the order given
     */
    public List<Path> authorizedKeys() {
        return authorizedKeys;
    }

    /**
     * Whether anyone who reaches the port is let in, without authentication.
     *
     * @return true if insecure
     */
    public boolean insecure() {
        return insecure;
    }

    /**
     * Open streams one ADB connection may have; an OPEN beyond them is refused.
     *
     * @return the limit
     */
    public int maxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    /**
     * Services running device processes (shells, {@code exec:}) at once, over all connections; an
     * OPEN beyond them is refused.
     *
     * @return the limit
     */
    public int maxProcesses() {
        return maxProcesses;
    }

    /** {@return the latencies the emulated tools report, and whether they wait them out} */
    public EmulatedTiming timing() {
        return timing;
    }

    /** {@return the faults injected into every connection and tool} */
    public EmulatorFaults faults() {
        return faults;
    }

    /** {@return the {@code java} executable the emulated device programs run with} */
    public String javaCommand() {
        return javaCommand;
    }

    /** {@return the class path the emulated device programs run with} */
    public String toolClasspath() {
        return toolClasspath;
    }

    /**
     * How the device's shell and tools are kept away from the host.
     *
     * @return the confinement asked for
     */
    public Confinement confinement() {
        return confinement;
    }

    /**
     * Whether the emulated tools' JVMs share class data between runs ({@link Builder#toolClassSharing}).
     *
     * @return true when they do
     */
    public boolean toolClassSharing() {
        return toolClassSharing;
    }

    /** Builds {@link EmulatorOptions}. */
    public static final class Builder {
        private int port;
        private EmulatedSoc soc = EmulatedSoc.SM8750;
        private Path sandbox;
        private final List<Path> authorizedKeys = new ArrayList<>();
        private boolean insecure;
        private int maxStreamsPerConnection = DEFAULT_MAX_STREAMS;
        private int maxProcesses = DEFAULT_MAX_PROCESSES;
        private EmulatedTiming timing = EmulatedTiming.INSTANT;
        private EmulatorFaults faults = EmulatorFaults.NONE;
        private String javaCommand = ProcessHandle.current().info().command().orElse("java");
        private String toolClasspath = ToolEnvironment.currentClasspath();
        private Confinement confinement = Confinement.fromSystemProperty();
        private boolean toolClassSharing;

        private Builder() {
        }

        /**
         * 0 (the default) picks a free port.
         *
         * The ADB port to listen on (loopback only).
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException when {@code port} is out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * The chip the device reports; {@link EmulatedSoc#SM8750} when not set.
         *
         * @param soc the chip
         * @return this builder
         * @throws NullPointerException when {@code soc} is null
         */
        public Builder soc(EmulatedSoc soc) {
            this.soc = Objects.requireNonNull(soc, "soc");
            return this;
        }

        /**
         * Keeps the device's files in this folder (created if missing, kept on close).
         *
         * @param sandbox the host folder that becomes the device's {@code /}
         * @return this builder
         * @throws NullPointerException when {@code sandbox} is null
         */
        public Builder sandbox(Path sandbox) {
            this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
            return this;
        }

        /**
         * Also lets in the hosts whose public keys are in these files (adb's {@code adbkey.pub}
         * format, one key a line), besides the user's own key. The files are read at each
         * connection's authentication, so they may be created after the emulator starts.
         *
         * @param publicKeyFiles {@code adbkey.pub}-style files
         * @return this builder
         */
        public Builder authorizedKeys(Path... publicKeyFiles) {
            for (Path file : publicKeyFiles) {
                authorizedKeys.add(Objects.requireNonNull(file, "public key file"));
            }
            return this;
        }

        /**
         * Lets in anyone who reaches the port, without authentication (as a phone with
         * {@code ro.adb.secure=0}); logged as a warning at start. For tests that need it only:
         * whoever reaches the port can then use the device.
         *
         * @param insecure true to skip authentication
         * @return this builder
         */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        /**
         * Open streams one ADB connection may have (default {@value #DEFAULT_MAX_STREAMS}).
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is below 1
         */
        public Builder maxStreamsPerConnection(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxStreamsPerConnection must be at least 1, was " + max);
            }
            this.maxStreamsPerConnection = max;
            return this;
        }

        /**
         * Services running device processes at once, emulator-wide (default {@value #DEFAULT_MAX_PROCESSES}).
         *
         * @param max at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code max} is below 1
         */
        public Builder maxProcesses(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxProcesses must be at least 1, was " + max);
            }
            this.maxProcesses = max;
            return this;
        }

        /**
         * The latencies the emulated tools report; {@link EmulatedTiming#INSTANT} when not set.
         *
         * @param timing the latencies, and whether to wait them out
         * @return this builder
         * @throws NullPointerException when {@code timing} is null
         */
        public Builder timing(EmulatedTiming timing) {
            this.timing = Objects.requireNonNull(timing, "timing");
            return this;
        }

        /**
         * Faults to inject; {@link EmulatorFaults#NONE} when not set.
         *
         * @param faults the faults
         * @return this builder
         * @throws NullPointerException when {@code faults} is null
         */
        public Builder faults(EmulatorFaults faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /**
         * The {@code java} executable the emulated device programs run with.
         *
         * @param javaCommand the executable's path; this JVM's own by default
         * @return this builder
         * @throws NullPointerException when {@code javaCommand} is null
         */
        public Builder javaCommand(String javaCommand) {
            this.javaCommand = Objects.requireNonNull(javaCommand, "javaCommand");
            return this;
        }

        /**
         * The class path (holding this module and its dependencies) the emulated programs run with.
         *
         * @param toolClasspath a class path of absolute entries; this JVM's emulator classes by default
         * @return this builder
         * @throws NullPointerException when {@code toolClasspath} is null
         */
        public Builder toolClasspath(String toolClasspath) {
            this.toolClasspath = Objects.requireNonNull(toolClasspath, "toolClasspath");
            return this;
        }

        /**
         * How to confine the device's shell and tools; by default what the system property
         * {@value Confinement#PROPERTY} says, or {@link Confinement#AUTO}.
         *
         * @param confinement the confinement
         * @return this builder
         */
        public Builder confinement(Confinement confinement) {
            this.confinement = Objects.requireNonNull(confinement, "confinement");
            return this;
        }

        /**
         * Whether the emulated tools' JVMs share class data between runs: inside namespaces, the
         * first run of each device program records the classes it loaded in an archive in the
         * device's {@code /data/local/tmp/.fastvlm-emulator}, and later runs map them instead of
         * loading them again (about a third of a program's start). Off by default: the recording
         * costs the first run of each program about half a second, which only an emulator that
         * runs many requests wins back (a test's or a one-shot command's fresh sandbox does not).
         * The restricted shell, whose tools run on the host, never shares.
         *
         * @param toolClassSharing true to share
         * @return this builder
         */
        public Builder toolClassSharing(boolean toolClassSharing) {
            this.toolClassSharing = toolClassSharing;
            return this;
        }

        /**
         * Creates the options.
         *
         * @return the options
         */
        public EmulatorOptions build() {
            return new EmulatorOptions(this);
        }
    }
}

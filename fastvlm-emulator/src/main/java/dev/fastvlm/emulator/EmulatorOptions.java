package dev.fastvlm.emulator;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a {@link DeviceEmulator}. Defaults: an ephemeral port, an SM8750 (Snapdragon 8
 * Elite), a fresh temporary sandbox deleted on close, no ADB authentication, {@link
 * EmulatedTiming#INSTANT}, no faults, and emulated tools run with this JVM's {@code java} and
 * class path.
 */
public final class EmulatorOptions {
    private final int port;
    private final EmulatedSoc soc;
    private final Path sandbox;
    private final boolean requireAuth;
    private final EmulatedTiming timing;
    private final EmulatorFaults faults;
    private final String javaCommand;
    private final String toolClasspath;

    private EmulatorOptions(Builder b) {
        this.port = b.port;
        this.soc = b.soc;
        this.sandbox = b.sandbox;
        this.requireAuth = b.requireAuth;
        this.timing = b.timing;
        this.faults = b.faults;
        this.javaCommand = b.javaCommand;
        this.toolClasspath = b.toolClasspath;
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

    /** {@return whether each connection must pass ADB authentication} */
    public boolean requireAuth() {
        return requireAuth;
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

    /** Builds {@link EmulatorOptions}. */
    public static final class Builder {
        private int port;
        private EmulatedSoc soc = EmulatedSoc.SM8750;
        private Path sandbox;
        private boolean requireAuth;
        private EmulatedTiming timing = EmulatedTiming.INSTANT;
        private EmulatorFaults faults = EmulatorFaults.NONE;
        private String javaCommand = ProcessHandle.current().info().command().orElse("java");
        private String toolClasspath = ToolEnvironment.currentClasspath();

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
         * Start each connection with an AUTH token; any signature or public key is then accepted.
         *
         * @param requireAuth {@code true} to send an AUTH token on each connection
         * @return this builder
         */
        public Builder requireAuth(boolean requireAuth) {
            this.requireAuth = requireAuth;
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
         * Creates the options.
         *
         * @return the options
         */
        public EmulatorOptions build() {
            return new EmulatorOptions(this);
        }
    }
}

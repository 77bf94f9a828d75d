package dev.fastvlm.emulator;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How to start a {@link DeviceEmulator}. Defaults: an ephemeral port, an SM8750 (Snapdragon 8
 * Elite), a fresh temporary sandbox deleted on close, no ADB authentication, {@link
 * EmulatedTiming#INSTANT}, no faults, emulated tools run with this JVM's {@code java} and
 * class path, and the confinement the system property {@value Confinement#PROPERTY} names ({@link
 * Confinement#AUTO} when unset).
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
    private final Confinement confinement;

    private EmulatorOptions(Builder b) {
        this.port = b.port;
        this.soc = b.soc;
        this.sandbox = b.sandbox;
        this.requireAuth = b.requireAuth;
        this.timing = b.timing;
        this.faults = b.faults;
        this.javaCommand = b.javaCommand;
        this.toolClasspath = b.toolClasspath;
        this.confinement = b.confinement;
    }

    public static EmulatorOptions defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return port;
    }

    public EmulatedSoc soc() {
        return soc;
    }

    /** The host folder for the device's files; empty for a temporary one. */
    public Optional<Path> sandbox() {
        return Optional.ofNullable(sandbox);
    }

    public boolean requireAuth() {
        return requireAuth;
    }

    public EmulatedTiming timing() {
        return timing;
    }

    public EmulatorFaults faults() {
        return faults;
    }

    public String javaCommand() {
        return javaCommand;
    }

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
        private Confinement confinement = Confinement.fromSystemProperty();

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
            this.port = port;
            return this;
        }

        public Builder soc(EmulatedSoc soc) {
            this.soc = Objects.requireNonNull(soc, "soc");
            return this;
        }

        /** Keeps the device's files in this folder (created if missing, kept on close). */
        public Builder sandbox(Path sandbox) {
            this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
            return this;
        }

        /** Start each connection with an AUTH token; any signature or public key is then accepted. */
        public Builder requireAuth(boolean requireAuth) {
            this.requireAuth = requireAuth;
            return this;
        }

        public Builder timing(EmulatedTiming timing) {
            this.timing = Objects.requireNonNull(timing, "timing");
            return this;
        }

        public Builder faults(EmulatorFaults faults) {
            this.faults = Objects.requireNonNull(faults, "faults");
            return this;
        }

        /** The {@code java} executable the emulated device programs run with. */
        public Builder javaCommand(String javaCommand) {
            this.javaCommand = Objects.requireNonNull(javaCommand, "javaCommand");
            return this;
        }

        /** The class path (holding this module and its dependencies) the emulated programs run with. */
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

        public EmulatorOptions build() {
            return new EmulatorOptions(this);
        }
    }
}

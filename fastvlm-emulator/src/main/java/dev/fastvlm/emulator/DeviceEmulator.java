package dev.fastvlm.emulator;

import dev.fastvlm.DeviceException;
import dev.fastvlm.emulator.adb.AdbAuthorization;
import dev.fastvlm.emulator.adb.AdbServer;
import dev.fastvlm.emulator.adb.LinkSettings;
import dev.fastvlm.emulator.adb.StreamHandler;
import dev.fastvlm.emulator.fs.DeviceFileSystem;
import dev.fastvlm.emulator.fs.SyncService;
import dev.fastvlm.emulator.shell.DeviceProperties;
import dev.fastvlm.emulator.shell.DeviceShell;
import dev.fastvlm.emulator.shell.ShellService;
import dev.fastvlm.emulator.shell.ToolRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A virtual Snapdragon phone: an adbd endpoint on {@code 127.0.0.1} with a sandboxed file system,
 * a confined shell over it ({@link Confinement}: Linux namespaces through bubblewrap, or the
 * emulator's restricted interpreter; never a host shell), emulated device properties and, through
 * the emulated QAIRT SDK ({@link dev.fastvlm.emulator.tools.EmulatedSdk}), emulated Qualcomm tools.
 *
 * <pre>{@code
 * try (DeviceEmulator device = DeviceEmulator.start(EmulatorOptions.defaults())) {
 *     String serial = device.serial();   // "127.0.0.1:PORT", for adb connect
 * }
 * }</pre>
 */
public final class DeviceEmulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeviceEmulator.class);

    /** The features this adbd advertises in its CNXN banner (only those it implements). */
    static final String FEATURES = "shell_v2,stat_v2,ls_v2,fixed_push_mkdir";

    private final EmulatorOptions options;
    private final DeviceFileSystem fs;
    private final boolean temporarySandbox;
    private final ProcessRegistry processes;
    private final AdbServer server;
    private final Thread shutdownHook;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final DeviceShell shell;

    private DeviceEmulator(EmulatorOptions options, DeviceFileSystem fs, boolean temporarySandbox,
                           ProcessRegistry processes) throws IOException {
        this.options = options;
        this.fs = fs;
        this.temporarySandbox = temporarySandbox;
        this.processes = processes;
        DeviceProperties properties = DeviceProperties.of(options.soc());
        properties.install(fs.root());
        for (String dir : new String[] {"data/local/tmp", DeviceFileSystem.STORAGE, "vendor/lib64", "vendor/dsp/cdsp"}) {
            Files.createDirectories(fs.root().resolve(dir));
        }
        this.shell = DeviceShell.open(options.confinement(), fs.root(),
                new ToolRuntime(options.javaCommand(), options.toolClasspath(), toolSettings()), DeviceEmulator::launch);
        try {
            long disk = options.faults().diskBytes() > 0 ? options.faults().diskBytes() : Long.MAX_VALUE;
            SyncService sync = new SyncService(fs, new AtomicLong(disk));
            LinkSettings link = new LinkSettings(properties.banner(FEATURES), AdbAuthorization.of(options),
                    options.maxStreamsPerConnection(), options.faults().dropConnectionAfterBytes(),
                    options.faults().linkBytesPerSecond());
            this.server = AdbServer.start(options.port(), link, service -> resolve(service, shell, sync));
        } catch (IOException | RuntimeException e) {
            shell.close();
            throw e;
        }
        this.shutdownHook = new Thread(this::release, "fastvlm-emulator-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /**
     * Starts an emulated device.
     *
     * @param options port, chip, sandbox, timing and faults
     * @return the running emulator; close it to stop it
     * @throws DeviceException if the port cannot be bound or the sandbox cannot be prepared
     */
    public static DeviceEmulator start(EmulatorOptions options) {
        Optional<Path> sandbox = options.sandbox();
        Path root = null;
        try {
            root = sandbox.isPresent() ? sandbox.get() : Files.createTempDirectory("fastvlm-emulator-");
            DeviceEmulator emulator = new DeviceEmulator(options, new DeviceFileSystem(root), sandbox.isEmpty(),
                    new ProcessRegistry(options.maxProcesses()));
            LOG.info("emulated {} ({}) listening on {}, sandbox {}", options.soc(), options.soc().marketingName(),
                    emulator.serial(), root);
            if (options.insecure()) {
                LOG.warn("INSECURE: the emulated device on {} lets in anyone who reaches the port, without ADB "
                        + "authentication; whoever can connect to 127.0.0.1:{} can use it", emulator.serial(),
                        emulator.port());
            } else {
                LOG.info("ADB authentication: {}", AdbAuthorization.of(options));
            }
            return emulator;
        } catch (IOException | RuntimeException e) {
            if (root != null && sandbox.isEmpty()) {
                try {
                    SandboxRemoval.remove(root);
                } catch (IOException cleanup) {
                    e.addSuppressed(cleanup);
                }
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            throw new DeviceException("could not start the device emulator: " + e.getMessage(), e);
        }
    }

    /** The tools' settings, which (unlike their java command, class path and sandbox) hold no host path. */
    private Map<String, String> toolSettings() {
        Map<String, String> env = new HashMap<>();
        env.put(ToolEnvironment.TIMING, options.timing().encode());
        env.put(ToolEnvironment.SOC, options.soc().name());
        StringBuilder exits = new StringBuilder();
        options.faults().toolExitCodes().forEach((tool, code) -> exits.append(tool).append('=').append(code).append(' '));
        env.put(ToolEnvironment.FAIL_TOOLS, exits.toString().strip());
        env.put(ToolEnvironment.HANG_TOOLS, String.join(" ", options.faults().hangingTools()));
        if (options.toolClassSharing()) {
            env.put(ToolEnvironment.TOOL_CDS, ToolEnvironment.CACHE_DIR + "/cds-"
                    + ToolClasspath.stamp(options.javaCommand(), options.toolClasspath()));
        }
        return env;
    }

    private Optional<StreamHandler> resolve(String service, DeviceShell shell, SyncService sync) {
        if (service.equals("sync:")) {
            return Optional.of(sync);
        }
        int colon = service.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        String name = service.substring(0, colon);
        String command = service.substring(colon + 1);
        if (name.equals("exec")) {
            return withProcessSlot(new ShellService(shell, command, false), name);
        }
        if (name.equals("shell") || name.startsWith("shell,")) {
            boolean v2 = Stream.of(name.split(",")).anyMatch("v2"::equals);
            return withProcessSlot(new ShellService(shell, command, v2), name);
        }
        return Optional.empty();
    }

    /**
     * A service that runs device processes gets one of the emulator-wide slots, or its OPEN is
     * refused; its processes die when its stream closes, from either side.
     */
    private Optional<StreamHandler> withProcessSlot(StreamHandler service, String name) {
        Optional<ProcessRegistry.Slot> reserved = processes.reserve();
        if (reserved.isEmpty()) {
            LOG.warn("refusing a {} stream: {} services run device processes already, the emulator's limit", name,
                    processes.maxSlots());
            return Optional.empty();
        }
        ProcessRegistry.Slot slot = reserved.get();
        return Optional.of(stream -> {
            try (slot) {
                slot.bindToCurrentThread();
                stream.onClose(slot::killProcesses);
                service.serve(stream);
            }
        });
    }

    /**
     * Starts a host process for the device. A process a stream's service starts is recorded, so it
     * dies with its stream, the emulator or the JVM; the sandbox's own long-lived process, started
     * with the emulator, is the shell's to end ({@link DeviceShell#close()}).
     */
    private static Process launch(ProcessBuilder builder) throws IOException {
        Process process = builder.start();
        return ProcessRegistry.servesStream() ? ProcessRegistry.register(process) : process;
    }

    /**
     * {@code 127.0.0.1:PORT}, the serial {@code adb connect} gives this device.
     *
     * @return the serial
     */
    public String serial() {
        return "127.0.0.1:" + port();
    }

    /** {@return the loopback port the emulated adbd listens on} */
    public int port() {
        return server.port();
    }

    /**
     * The host folder holding the device's files ({@code /data/local/tmp} is {@code sandbox()/data/local/tmp}).
     *
     * @return the sandbox folder
     */
    public Path sandbox() {
        return fs.root();
    }

    /**
     * How the device's shell and tools are confined: {@link Confinement#NAMESPACES} or {@link
     * Confinement#RESTRICTED}, never {@link Confinement#AUTO}.
     *
     * @return the confinement in use
     */
    public Confinement confinement() {
        return shell.confinement();
    }

    /** {@return the chip the emulated device reports} */
    public EmulatedSoc soc() {
        return options.soc();
    }

    /**
     * The host path of a device path, refusing paths that would leave the sandbox.
     *
     * @param devicePath an absolute device path
     * @return the host file or folder it is stored in
     * @throws IllegalArgumentException when the path would leave the sandbox
     */
    public Path hostPath(String devicePath) {
        try {
            return fs.resolve(devicePath);
        } catch (DeviceFileSystem.SandboxEscapeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * Stops the device: closes its port and connections, kills the processes it started (and their
     * descendants), and removes its sandbox if it was a temporary one. The same happens when the JVM
     * exits (also on SIGTERM or SIGINT) without close(). Safe to call again, from any thread.
     *
     * @throws UncheckedIOException if the temporary sandbox cannot be removed
     */
    @Override
    public void close() {
        if (release()) {
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs or ran already
            }
        }
    }

    /** @return whether this call did the release (false if it had been done) */
    private boolean release() {
        if (!closed.compareAndSet(false, true)) {
            return false;
        }
        IOException failure = null;
        // processes first: a service blocked on its process then ends at once, and no new one can start
        processes.killAll();
        try {
            server.close();
        } catch (IOException e) {
            failure = e;
        }
        shell.close();
        if (temporarySandbox) {
            try {
                SandboxRemoval.remove(fs.root());
            } catch (IOException e) {
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        if (failure != null) {
            throw new UncheckedIOException("could not stop the device emulator cleanly: " + failure.getMessage(), failure);
        }
        return true;
    }
}

package dev.fastvlm.emulator;

import dev.fastvlm.DeviceException;
import dev.fastvlm.emulator.adb.AdbServer;
import dev.fastvlm.emulator.adb.LinkSettings;
import dev.fastvlm.emulator.adb.StreamHandler;
import dev.fastvlm.emulator.fs.DeviceFileSystem;
import dev.fastvlm.emulator.fs.SyncService;
import dev.fastvlm.emulator.shell.DeviceProperties;
import dev.fastvlm.emulator.shell.DeviceShell;
import dev.fastvlm.emulator.shell.ProcessLauncher;
import dev.fastvlm.emulator.shell.ShellService;
import dev.fastvlm.emulator.shell.ToolRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
 *     String serial = device.serial();   // "127.0.0.1:PORT", for adb connect / dadb
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
    private final AdbServer server;
    private final DeviceShell shell;

    private DeviceEmulator(EmulatorOptions options, DeviceFileSystem fs, boolean temporarySandbox) throws IOException {
        this.options = options;
        this.fs = fs;
        this.temporarySandbox = temporarySandbox;
        DeviceProperties properties = DeviceProperties.of(options.soc());
        properties.install(fs.root());
        for (String dir : new String[] {"data/local/tmp", DeviceFileSystem.STORAGE, "vendor/lib64", "vendor/dsp/cdsp"}) {
            Files.createDirectories(fs.root().resolve(dir));
        }
        this.shell = DeviceShell.open(options.confinement(), fs.root(),
                new ToolRuntime(options.javaCommand(), options.toolClasspath(), toolSettings()), ProcessLauncher.DIRECT);
        try {
            long disk = options.faults().diskBytes() > 0 ? options.faults().diskBytes() : Long.MAX_VALUE;
            SyncService sync = new SyncService(fs, new AtomicLong(disk));
            LinkSettings link = new LinkSettings(properties.banner(FEATURES), options.requireAuth(),
                    options.faults().dropConnectionAfterBytes(), options.faults().linkBytesPerSecond());
            this.server = AdbServer.start(options.port(), link, service -> resolve(service, shell, sync));
        } catch (IOException | RuntimeException e) {
            shell.close();
            throw e;
        }
    }

    /**
     * Starts an emulated device.
     *
     * @throws DeviceException if the port cannot be bound or the sandbox cannot be prepared
     */
    public static DeviceEmulator start(EmulatorOptions options) {
        try {
            Optional<Path> sandbox = options.sandbox();
            Path root = sandbox.isPresent() ? sandbox.get() : Files.createTempDirectory("fastvlm-emulator-");
            DeviceEmulator emulator = new DeviceEmulator(options, new DeviceFileSystem(root), sandbox.isEmpty());
            LOG.info("emulated {} ({}) listening on {}, sandbox {}", options.soc(), options.soc().marketingName(),
                    emulator.serial(), root);
            return emulator;
        } catch (IOException e) {
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
        return env;
    }

    private static Optional<StreamHandler> resolve(String service, DeviceShell shell, SyncService sync) {
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
            return Optional.of(new ShellService(shell, command, false));
        }
        if (name.equals("shell") || name.startsWith("shell,")) {
            boolean v2 = Stream.of(name.split(",")).anyMatch("v2"::equals);
            return Optional.of(new ShellService(shell, command, v2));
        }
        return Optional.empty();
    }

    /** {@code 127.0.0.1:PORT}, the serial {@code adb connect} gives this device. */
    public String serial() {
        return "127.0.0.1:" + port();
    }

    public int port() {
        return server.port();
    }

    /** The host folder holding the device's files ({@code /data/local/tmp} is {@code sandbox()/data/local/tmp}). */
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

    public EmulatedSoc soc() {
        return options.soc();
    }

    /** The host path of a device path, refusing paths that would leave the sandbox. */
    public Path hostPath(String devicePath) {
        try {
            return fs.resolve(devicePath);
        } catch (DeviceFileSystem.SandboxEscapeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
            shell.close();
            if (temporarySandbox) {
                try (Stream<Path> files = Files.walk(fs.root())) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

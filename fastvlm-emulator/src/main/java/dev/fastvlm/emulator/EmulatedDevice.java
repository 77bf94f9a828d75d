package dev.fastvlm.emulator;

import dev.fastvlm.adb.protocol.AdbKeyFiles;

import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import dev.fastvlm.transport.Transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * A ready emulated phone for tests and demos: a started {@link DeviceEmulator}, a transport to it,
 * and an emulated model bundle and QAIRT SDK written to a temporary folder, all removed again by
 * {@link #close()}. The folder also holds a fresh adb key pair that the emulator authorizes, and
 * that the {@link Connector} is given to connect with.
 *
 * <pre>{@code
 * try (EmulatedDevice device = EmulatedDevice.start(AdbTransport::direct);
 *      FastVlm vlm = FastVlm.builder()
 *              .device(device.transport())
 *              .models(device.bundleDir())
 *              .runtime(QairtRuntime.of(device.sdkDir()))
 *              .build()) {
 *     System.out.println(vlm.describe(Path.of("photo.jpg"), "Describe the image.").text());
 * }
 * }</pre>
 *
 * The bundle is {@link #DEFAULT_WIDTH} wide, as the command-line tool's: FastVLM's real 896 would
 * write a 545 MB embedding table for an answer that only reports what reached the emulated decoder.
 */
public final class EmulatedDevice implements AutoCloseable {
    /** Embedding width of the emulated bundle. */
    public static final int DEFAULT_WIDTH = 112;

    /**
     * Opens a transport to the emulator's adbd, e.g. {@code AdbTransport::direct} from fastvlm-adb
     * (which this module does not depend on).
     */
    @FunctionalInterface
    public interface Connector {
        /**
         * Connects to the started emulator.
         *
         * @param host   the emulator's address, {@code 127.0.0.1}
         * @param port   its adbd port
         * @param adbKey an adb private key ({@code adbkey}, with {@code adbkey.pub} beside it) that the
         *               emulator authorizes; a connector may also use another key the emulator knows
         *               (the user's own {@code ~/.android/adbkey})
         * @return an open transport, closed by {@link EmulatedDevice#close()}
         * @throws IOException if it cannot connect
         */
        Transport connect(String host, int port, Path adbKey) throws IOException;
    }

    private final DeviceEmulator emulator;
    private final Path work;
    private final Path bundleDir;
    private final Path sdkDir;
    private final Path adbKey;
    private final Transport transport;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmulatedDevice(DeviceEmulator emulator, Path work, Path bundleDir, Path sdkDir, Path adbKey,
                           Transport transport) {
        this.emulator = emulator;
        this.work = work;
        this.bundleDir = bundleDir;
        this.sdkDir = sdkDir;
        this.adbKey = adbKey;
        this.transport = transport;
    }

    /**
     * Starts an emulator with {@link EmulatorOptions#defaults()}, writes its bundle and SDK, and
     * connects.
     *
     * @param connector opens the transport, e.g. {@code AdbTransport::direct}
     * @return the ready device
     * @throws IOException if the bundle or SDK cannot be written or the connector fails
     */
    public static EmulatedDevice start(Connector connector) throws IOException {
        return start(connector, EmulatorOptions.defaults());
    }

    /**
     * As {@link #start(Connector)}, with the emulator's options given (the device's own key is
     * authorized on top of them).
     *
     * @param connector opens the transport
     * @param options   the emulator's options
     * @return the ready device
     * @throws IOException if the bundle or SDK cannot be written or the connector fails
     */
    public static EmulatedDevice start(Connector connector, EmulatorOptions options) throws IOException {
        Path work = Files.createTempDirectory("fastvlm-emulated-device-");
        DeviceEmulator emulator = null;
        try {
            Path bundle = EmulatedBundle.write(work.resolve("bundle"), DEFAULT_WIDTH, EmulatedBundle.VisionPrecision.INT8);
            Path sdk = EmulatedSdk.write(work.resolve("sdk"));
            Path key = work.resolve("adbkey");
            Path publicKey = AdbKeyFiles.generate(key, "fastvlm@emulated-device");
            emulator = DeviceEmulator.start(options.toBuilder().authorizedKeys(publicKey).build());
            Transport transport = connector.connect("127.0.0.1", emulator.port(), key);
            return new EmulatedDevice(emulator, work, bundle, sdk, key, transport);
        } catch (IOException | RuntimeException e) {
            try {
                if (emulator != null) {
                    emulator.close();
                }
                delete(work);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    /** @return the open transport to the emulated phone */
    public Transport transport() {
        return transport;
    }

    /** @return the emulated model bundle, for {@code FastVlm.Builder.models(Path)} */
    public Path bundleDir() {
        return bundleDir;
    }

    /** @return the emulated QAIRT SDK, for {@code QairtRuntime.of(Path)} */
    public Path sdkDir() {
        return sdkDir;
    }

    /** @return the adb private key the emulator authorizes ({@code adbkey.pub} beside it), for more connections */
    public Path adbKey() {
        return adbKey;
    }

    /** @return the serial {@code adb connect} gives the emulated phone, {@code 127.0.0.1:PORT} */
    public String serial() {
        return emulator.serial();
    }

    /** @return the underlying emulator, for its sandbox and options */
    public DeviceEmulator emulator() {
        return emulator;
    }

    /** Closes the transport and the emulator and deletes the bundle and SDK; safe to call again, from any thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            transport.close();
        } finally {
            try {
                emulator.close();
            } finally {
                delete(work);
            }
        }
    }

    private static void delete(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete the emulated device's folder " + dir, e);
        }
    }
}

package dev.fastvlm.adb;

import dev.fastvlm.DeviceException;
import dev.fastvlm.DeviceNotFoundException;
import dev.fastvlm.DeviceUnauthorizedException;
import dev.fastvlm.InvalidConfigurationException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Chooses how to reach a device. Through the adb server (the default) a device is picked by
 * {@link #serial}, or is the only one attached; {@link #direct} talks to an adbd on TCP instead.
 */
public final class AdbTransportBuilder {

    /** adb's own default server port. */
    static final int DEFAULT_SERVER_PORT = 5037;

    private String serial;
    private String serverHost = "localhost";
    private int serverPort = defaultServerPort();
    private boolean startServer = true;
    private String directHost;
    private int directPort;
    private Path adbKey;
    private Duration connectTimeout = Duration.ofSeconds(10);

    AdbTransportBuilder() {
    }

    /**
     * The device to use, as {@code adb devices} lists it; required when several are attached.
     *
     * @param serial the serial, or null for the only attached device
     * @return this builder
     */
    public AdbTransportBuilder serial(String serial) {
        this.serial = serial;
        return this;
    }

    /**
     * The adb server to ask (default {@code localhost:5037}, or {@code ANDROID_ADB_SERVER_PORT}).
     *
     * @param host the server's host name
     * @param port the server's TCP port, 1 to 65535
     * @return this builder
     * @throws dev.fastvlm.InvalidConfigurationException when {@code port} is out of range
     */
    public AdbTransportBuilder adbServer(String host, int port) {
        this.serverHost = host;
        this.serverPort = checkPort(port);
        return this;
    }

    /**
     * Whether to start a local adb server (like the adb command does) when none is running.
     *
     * @param start {@code true} (the default) to start one; {@code false} to fail when none runs
     * @return this builder
     */
    public AdbTransportBuilder startServer(boolean start) {
        this.startServer = start;
        return this;
    }

    /**
     * Skip the adb server: connect to adbd at {@code host:port} and authenticate with the adb key.
     *
     * @param host adbd's host name or address
     * @param port adbd's TCP port, 1 to 65535
     * @return this builder
     * @throws dev.fastvlm.InvalidConfigurationException when {@code port} is out of range
     */
    public AdbTransportBuilder direct(String host, int port) {
        this.directHost = host;
        this.directPort = checkPort(port);
        return this;
    }

    /**
     * The private key for {@link #direct} connections (default {@code ~/.android/adbkey}, as adb);
     * created, with its {@code .pub}, if missing.
     *
     * @param privateKey the private key file (PEM)
     * @return this builder
     */
    public AdbTransportBuilder adbKey(Path privateKey) {
        this.adbKey = privateKey;
        return this;
    }

    /**
     * How long to wait for the server or adbd to answer, and for the key to be accepted.
     *
     * @param timeout positive time, at most {@code Integer.MAX_VALUE} milliseconds; 10 seconds by default
     * @return this builder
     * @throws dev.fastvlm.InvalidConfigurationException when {@code timeout} is null, not positive or too long
     */
    public AdbTransportBuilder connectTimeout(Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE) {
            throw new InvalidConfigurationException("connectTimeout", "must be positive, was " + timeout);
        }
        this.connectTimeout = timeout;
        return this;
    }

    /**
     * Connects and checks that the device is ready and speaks {@code shell,v2}.
     *
     * @return a connected transport, owned by the caller (close it)
     * @throws DeviceNotFoundException     no server and no device, several devices and no serial
     *                                     (the message lists them), or an unknown serial
     * @throws DeviceUnauthorizedException the device has not accepted this computer's key
     * @throws DeviceException             the device is offline or otherwise not ready
     */
    public AdbTransport build() {
        return directHost != null ? buildDirect() : buildViaServer();
    }

    /**
     * The serials of the devices the adb server lists as ready to use (state {@code device}), in its
     * order; unauthorized and offline devices are left out. Starts a local server as {@link #build()} does.
     *
     * @return the serials, possibly none
     * @throws DeviceNotFoundException when no adb server runs and none could be started
     * @throws DeviceException when the server cannot be asked
     */
    public List<String> readySerials() {
        String server = serverHost + ":" + serverPort;
        AdbServerClient client = new AdbServerClient(serverHost, serverPort, (int) connectTimeout.toMillis());
        return listDevices(client, server).stream().filter(d -> d.state().equals("device"))
                .map(AdbServerClient.AttachedDevice::serial).toList();
    }

    private AdbTransport buildDirect() {
        String target = directHost + ":" + directPort;
        AdbKey keys = AdbKeys.load(adbKey != null ? adbKey : AdbKeys.defaultPrivateKey());
        int timeoutMillis = (int) connectTimeout.toMillis();
        AdbTransport.Connector connector = () -> AdbLink.direct(directHost, directPort, keys, timeoutMillis);
        return open(target, connector, "adbd at " + target);
    }

    private AdbTransport buildViaServer() {
        String server = serverHost + ":" + serverPort;
        AdbServerClient client = new AdbServerClient(serverHost, serverPort, (int) connectTimeout.toMillis());
        List<AdbServerClient.AttachedDevice> devices = listDevices(client, server);
        AdbServerClient.AttachedDevice device = choose(devices, server);
        switch (device.state()) {
            case "device" -> {
            }
            case "unauthorized" -> throw new DeviceUnauthorizedException("device " + device.serial()
                    + " has not authorized this computer: unlock the phone and accept the "
                    + "'Allow USB debugging?' prompt, then try again");
            case "offline" -> throw new DeviceException("device " + device.serial() + " is offline: reconnect "
                    + "the cable (or run 'adb reconnect') and try again");
            default -> throw new DeviceException("device " + device.serial() + " is in state '" + device.state()
                    + "', not ready for use");
        }
        String serial = device.serial();
        AdbTransport.Connector connector = () -> AdbLink.viaServer(client, serial);
        return open(device.serial(), connector, "device " + device.serial() + " via the adb server at " + server);
    }

    private List<AdbServerClient.AttachedDevice> listDevices(AdbServerClient client, String server) {
        try {
            return client.devices();
        } catch (ConnectException notRunning) {
            if (!startServer || !isLoopback(serverHost)) {
                throw new DeviceNotFoundException("no adb server is running at " + server
                        + ", so no device can be found: start one with 'adb start-server' (USB devices) "
                        + "or connect to adbd directly", notRunning);
            }
            try {
                client.startServer();
                return client.devices();
            } catch (IOException | RuntimeException e) {
                throw new DeviceNotFoundException("no adb server is running at " + server
                        + " and none could be started (" + e.getMessage() + "): install Android platform-tools "
                        + "or start the server with 'adb start-server'", e);
            }
        } catch (IOException e) {
            throw new DeviceException("cannot ask the adb server at " + server + " for devices: " + e.getMessage(), e);
        }
    }

    private AdbServerClient.AttachedDevice choose(List<AdbServerClient.AttachedDevice> devices, String server) {
        if (serial != null) {
            return devices.stream().filter(d -> d.serial().equals(serial)).findFirst()
                    .orElseThrow(() -> new DeviceNotFoundException("device '" + serial + "' is not attached to the adb "
                            + "server at " + server + "; attached: " + (devices.isEmpty() ? "none" : devices)));
        }
        if (devices.isEmpty()) {
            throw new DeviceNotFoundException("no device is attached to the adb server at " + server
                    + ": plug in a phone with USB debugging on, or 'adb connect HOST:PORT'");
        }
        if (devices.size() > 1) {
            throw new DeviceNotFoundException(devices.size() + " devices are attached to the adb server at " + server
                    + ", choose one by serial: " + devices);
        }
        return devices.get(0);
    }

    /**
     * Opens the first connection under the connect timeout: adbd waits silently while the phone's
     * authorization prompt is pending, so a handshake that never completes means an unaccepted key.
     */
    private AdbTransport open(String target, AdbTransport.Connector connector, String what) {
        CompletableFuture<AdbLink> handshake = CompletableFuture.supplyAsync(() -> {
            try {
                AdbLink link = connector.open();
                if (!link.supportsFeature("shell_v2")) {
                    link.close();
                    throw new DeviceException(what + " does not support shell v2 (Android 7 or later is needed)");
                }
                return link;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (Exception e) {
                throw e instanceof RuntimeException r ? r : new DeviceException(e.getMessage(), e);
            }
        }, task -> AdbTransport.daemon("fastvlm-adb-connect " + target).newThread(task).start());
        try {
            return new AdbTransport(target, connector, handshake.get(connectTimeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            handshake.thenAccept(AdbTransportBuilder::closeLate);
            throw unaccepted(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new dev.fastvlm.CancelledException("connecting to " + what + " was interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof DeviceException de) {
                throw de;
            }
            Throwable root = cause instanceof java.io.UncheckedIOException u ? u.getCause() : cause;
            if (root instanceof java.net.SocketTimeoutException) {
                // the handshake's own limit ran out first: the same silence as the timeout above
                throw unaccepted(what, root);
            }
            if (root instanceof ConnectException) {
                throw new DeviceNotFoundException("nothing accepts connections at " + what
                        + " (" + root.getMessage() + ")", root);
            }
            throw new DeviceException("cannot connect to " + what + ": " + root, root);
        }
    }

    /** adbd stays silent while the key waits for the user's "allow", so a handshake that runs out means that. */
    private DeviceUnauthorizedException unaccepted(String what, Throwable cause) {
        DeviceUnauthorizedException e = new DeviceUnauthorizedException(what + " did not complete the connection within "
                + connectTimeout.toMillis() + " ms: if the phone shows 'Allow USB debugging?', accept it and "
                + "try again");
        e.initCause(cause);
        return e;
    }

    private static void closeLate(AdbLink link) {
        try {
            link.close();
        } catch (RuntimeException ignored) {
            // Nobody is waiting for this connection any more.
        }
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }

    private static int defaultServerPort() {
        String port = System.getenv("ANDROID_ADB_SERVER_PORT");
        if (port != null && port.matches("\\d{1,5}")) {
            return Integer.parseInt(port);
        }
        return DEFAULT_SERVER_PORT;
    }

    private static int checkPort(int port) {
        if (port < 1 || port > 65535) {
            throw new InvalidConfigurationException("port", "must be 1..65535, was " + port);
        }
        return port;
    }
}

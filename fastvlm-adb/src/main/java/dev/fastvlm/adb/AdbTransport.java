package dev.fastvlm.adb;

import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.CancelledException;
import dev.fastvlm.DeviceDisconnectedException;
import dev.fastvlm.DeviceException;
import dev.fastvlm.DeviceToolException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import dev.fastvlm.transport.Upload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A {@link Transport} to an Android device over ADB, in process with our own ADB client, either
 * through the local adb server (USB devices, {@code adb connect} targets) or straight to a
 * device's adbd over TCP.
 *
 * <pre>{@code
 * try (AdbTransport phone = AdbTransport.connect()) {             // the only attached device
 *     DeviceFacts facts = phone.facts();
 *     ArtifactSync.Report report = ArtifactSync.to(phone, "/data/local/tmp/fastvlm").sync(files, progress);
 *     phone.runChecked(DeviceCommand.of("./genie-t2t-run", "-c", "genie.json").inDirectory(dir), listener);
 * }
 * }</pre>
 *
 * <p>Thread-safe: concurrent calls use separate ADB streams. Programs run under {@code shell,v2}
 * (Android 7+) so exit codes and stderr are real.
 *
 * <p>Every wait obeys the calling thread's {@link Deadline} and interrupt: connecting (a
 * reconnect runs off the caller's thread), programs, and, on a {@link #direct} connection, each
 * stream's open, read and write. A transfer past its deadline drops the link, so nothing else
 * waits on a link that went silent, and the next call reconnects. Through the adb server, whose
 * streams (a socket each) block without limit, opening a stream waits only as long as the
 * deadline allows, and a watchdog closes a transfer's stream at the deadline or the caller's
 * interrupt, which ends it with the timeout or cancel.
 */
public final class AdbTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(AdbTransport.class);
    private static final int MODE_FILE = 0644;
    private static final int MODE_EXECUTABLE = 0755;
    /** The limit for removing a failed push's files when no deadline is shorter. */
    private static final Duration REMOVE_TIMEOUT = Duration.ofSeconds(20);

    /** Opens a fresh connection to the chosen device. */
    @FunctionalInterface
    interface Connector {
        AdbLink open() throws IOException;
    }

    private final String target;
    private final Connector connector;
    private final ExecutorService threads;
    private final SyncSessions syncs = new SyncSessions();
    private AdbLink link;
    /** A reconnect under way, which concurrent callers share; guarded by {@code this}. */
    private CompletableFuture<AdbLink> connecting;
    private boolean closed;

    AdbTransport(String target, Connector connector, AdbLink connected) {
        this.target = target;
        this.connector = connector;
        this.link = connected;
        this.threads = Executors.newCachedThreadPool(daemon("fastvlm-adb " + target));
    }

    /**
     * The only device attached to the local adb server (port 5037 or {@code ANDROID_ADB_SERVER_PORT}).
     *
     * @return a connected transport
     * @throws dev.fastvlm.DeviceNotFoundException when no device, or several, are attached (the message lists them)
     * @throws dev.fastvlm.DeviceUnauthorizedException when the device has not accepted this computer's key
     * @throws DeviceException when the server cannot be reached or the device is not ready
     */
    public static AdbTransport connect() {
        return builder().build();
    }

    /**
     * The device with this serial, through the local adb server.
     *
     * @param serial the serial {@code adb devices} lists
     * @return a connected transport
     * @throws dev.fastvlm.DeviceNotFoundException when no attached device has that serial
     * @throws dev.fastvlm.DeviceUnauthorizedException when the device has not accepted this computer's key
     * @throws DeviceException when the server cannot be reached or the device is not ready
     */
    public static AdbTransport connect(String serial) {
        return builder().serial(serial).build();
    }

    /**
     * The serials of the devices attached to the local adb server and ready to use, e.g. to open one
     * transport per phone of a pool.
     *
     * @return the serials in the server's order; unauthorized and offline devices are left out
     * @throws dev.fastvlm.DeviceNotFoundException when no adb server runs and none could be started
     * @throws DeviceException when the server cannot be asked
     */
    public static List<String> readySerials() {
        return builder().readySerials();
    }

    /**
     * A device's adbd listening on TCP ({@code adb tcpip}, an emulator), authenticating with the adb key.
     *
     * @param host adbd's host name or address
     * @param port adbd's TCP port, 1 to 65535 (5555 after {@code adb tcpip 5555})
     * @return a connected transport
     * @throws dev.fastvlm.DeviceUnauthorizedException when adbd does not accept the key
     * @throws DeviceException when adbd cannot be reached or is not ready
     */
    public static AdbTransport direct(String host, int port) {
        return builder().direct(host, port).build();
    }

    /**
     * A device's adbd listening on TCP, authenticating with this adb key instead of the user's (as
     * {@code EmulatedDevice.start(AdbTransport::direct)} passes the emulator's own key).
     *
     * @param host   the device's address
     * @param port   its adbd port
     * @param adbKey the private key ({@code adbkey}, PEM PKCS #8), with {@code adbkey.pub} beside it;
     *               created if missing
     * @return the connected transport
     */
    public static AdbTransport direct(String host, int port, Path adbKey) {
        return builder().direct(host, port).adbKey(adbKey).build();
    }

    /**
     * A builder for the other choices: adb server address, key file, connect timeout.
     *
     * @return a builder for the local adb server's only device
     */
    public static AdbTransportBuilder builder() {
        return new AdbTransportBuilder();
    }

    @Override
    public String target() {
        return target;
    }

    /**
     * Reads the device's chip, product, Android version and ABI.
     *
     * @return the facts; an empty chip name on devices without {@code ro.soc.model}
     * @throws DeviceException when the device cannot be reached
     */
    public DeviceFacts facts() {
        return DeviceFacts.parse(target, DeviceScripts.output(this, DeviceFacts.GETPROP_SCRIPT));
    }

    /** Copies a host file, keeping it executable on the device if it is executable on the host. */
    @Override
    public void push(Path hostFile, String devicePath, TransferListener progress) {
        long length;
        try {
            length = Files.size(hostFile);
        } catch (IOException e) {
            throw new FastVlmException("cannot read " + hostFile + " to push it: " + e.getMessage(), e);
        }
        int mode = Files.isExecutable(hostFile) ? MODE_EXECUTABLE : MODE_FILE;
        writeAll(List.of(new Upload(devicePath, length, out -> {
            // Whole DATA packets at a time: one copy per packet instead of Files.copy's 8 KiB steps.
            byte[] buffer = new byte[SyncClient.MAX_DATA];
            try (java.io.InputStream in = Files.newInputStream(hostFile)) {
                for (int n; (n = in.readNBytes(buffer, 0, buffer.length)) > 0; ) {
                    out.write(buffer, 0, n);
                }
            }
        })), progress, mode);
    }

    /**
     * All files through one sync session, sent back to back, then one {@code mv} command that puts
     * the atomic ones in place (none when every upload is {@link Upload#inPlace() in place}).
     */
    @Override
    public void writeAll(List<Upload> uploads, TransferListener progress) {
        writeAll(uploads, progress, MODE_FILE);
    }

    private void writeAll(List<Upload> uploads, TransferListener progress, int mode) {
        if (uploads.isEmpty()) {
            return;
        }
        List<String> sent = new ArrayList<>(uploads.size());
        for (Upload upload : uploads) {
            DeviceScripts.checkDevicePath(upload.devicePath());
            // Same directory, so the final rename is atomic on the device's filesystem; the name is
            // unique per push, so two writers of one file never share a temporary. adbd's SEND
            // creates missing parent directories itself, so no mkdir round trip is needed.
            sent.add(upload.atomic()
                    ? DeviceScripts.parent(upload.devicePath()) + "/.fastvlm-" + UUID.randomUUID() + ".part"
                    : upload.devicePath());
        }
        AtomicLong done = new AtomicLong();
        TransferListener counting = (bytes, total) -> {
            done.set(bytes);
            progress.onProgress(bytes, total);
        };
        int current = 0;
        int confirmed = 0;
        AdbLink connection = link();
        SyncClient sync = null;
        AdbLink.Guard guard = AdbLink.Guard.NONE;
        try {
            sync = syncs.take(connection);
            guard = connection.guard(sync.stream());
            try {
                for (; current < uploads.size(); current++) {
                    Upload upload = uploads.get(current);
                    done.set(0);
                    sync.startSend(sent.get(current), upload.devicePath(), mode, upload.length(),
                            upload.content(), counting);
                }
            } catch (RuntimeException e) {
                // The content failed: let the device finish the files already sent, so that the
                // clean-up below really finds (and removes) them.
                for (; confirmed < current; confirmed++) {
                    sync.awaitSent(uploads.get(confirmed).devicePath());
                }
                throw e;
            }
            for (; confirmed < uploads.size(); confirmed++) {
                sync.awaitSent(uploads.get(confirmed).devicePath());
            }
        } catch (SyncClient.Refused e) {
            closeQuietly(sync);
            removeQuietly(sent);
            throw new DeviceException("device " + target + " refused "
                    + uploads.get(Math.min(confirmed, uploads.size() - 1)).devicePath() + ": " + e.getMessage(), e);
        } catch (IOException failure) {
            guard.close();
            IOException e = guard.translate(failure);
            closeQuietly(sync);
            Upload failed = uploads.get(Math.min(current, uploads.size() - 1));
            RuntimeException stopped = stopped(e, connection, "pushing " + failed.devicePath() + " to " + target);
            if (stopped != null) {
                removeQuietly(sent);
                throw stopped;
            }
            discard(connection);
            removeQuietly(sent);
            throw new DeviceDisconnectedException("lost the connection to " + target + " after "
                    + done.get() + " of " + failed.length() + " bytes of " + failed.devicePath()
                    + "; nothing was written under that name, the push can be retried", e);
        } catch (RuntimeException e) {
            closeQuietly(sync);
            removeQuietly(sent);
            throw e;
        } finally {
            guard.close();
        }
        syncs.giveBack(connection, sync);
        StringBuilder renames = new StringBuilder();
        for (int i = 0; i < uploads.size(); i++) {
            if (uploads.get(i).atomic()) {
                renames.append(renames.length() == 0 ? "" : " && ").append("mv -f ")
                        .append(ShellQuoting.quote(sent.get(i))).append(' ')
                        .append(ShellQuoting.quote(uploads.get(i).devicePath()));
            }
        }
        if (renames.length() == 0) {
            return;
        }
        try {
            DeviceScripts.output(this, renames.toString());
        } catch (RuntimeException e) {
            removeQuietly(sent);
            throw e;
        }
    }

    @Override
    public void pull(String devicePath, Path hostFile, TransferListener progress) {
        DeviceScripts.checkDevicePath(devicePath);
        Path target = hostFile.toAbsolutePath();
        Path temporary;
        try {
            Files.createDirectories(target.getParent());
            temporary = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part");
        } catch (IOException e) {
            throw new FastVlmException("cannot create " + hostFile + ": " + e.getMessage(), e);
        }
        try (OutputStream out = Files.newOutputStream(temporary)) {
            receive(devicePath, size -> out, progress, "; " + hostFile + " was not changed");
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new FastVlmException("cannot write " + hostFile + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            deleteQuietly(temporary);
            throw e;
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new FastVlmException("cannot replace " + hostFile + ": " + e.getMessage(), e);
        }
    }

    /** Straight into memory: one sync round trip and no host file. */
    @Override
    public byte[] read(String devicePath, int maxBytes) {
        DeviceScripts.checkDevicePath(devicePath);
        ByteArrayOutputStream[] content = new ByteArrayOutputStream[1];
        receive(devicePath, size -> {
            if (size > maxBytes) {
                throw new FastVlmException(devicePath + " on " + target + " holds " + size + " bytes, more than the "
                        + maxBytes + " expected");
            }
            content[0] = new ByteArrayOutputStream((int) size);
            return content[0];
        }, TransferListener.NONE, "");
        return content[0].toByteArray();
    }

    /**
     * Asks for a file's attributes and content at once and copies the content into the stream
     * {@code sink} gives for its announced size; the sync session goes back to the pool only after
     * a clean transfer.
     */
    private void receive(String devicePath, LongFunction<OutputStream> sink, TransferListener progress,
                         String unchanged) {
        AdbLink connection = link();
        SyncClient sync = null;
        AdbLink.Guard guard = AdbLink.Guard.NONE;
        try {
            sync = syncs.take(connection);
            guard = connection.guard(sync.stream());
            sync.requestStatAndContent(devicePath);
            SyncClient.Stat stat = sync.readStat(devicePath);
            // A missing file or a directory: the RECV's FAIL is left unread, the stream closes.
            if (!stat.exists()) {
                throw new FastVlmException("no file " + devicePath + " on " + this.target);
            }
            if (!stat.isRegularFile()) {
                throw new FastVlmException(devicePath + " on " + this.target + " is not a regular file");
            }
            long received = sync.readContent(devicePath, stat.size(), sink.apply(stat.size()), progress);
            if (received != stat.size()) {
                throw new DeviceException("pulled " + received + " bytes of " + devicePath + " from "
                        + this.target + ", but it has " + stat.size());
            }
        } catch (SyncClient.Refused e) {
            closeQuietly(sync);
            throw new DeviceException("device " + this.target + " refused to send " + devicePath + ": "
                    + e.getMessage(), e);
        } catch (IOException failure) {
            guard.close();
            IOException e = guard.translate(failure);
            closeQuietly(sync);
            RuntimeException stopped = stopped(e, connection, "pulling " + devicePath + " from " + this.target);
            if (stopped != null) {
                throw stopped;
            }
            discard(connection);
            throw new DeviceDisconnectedException("lost the connection to " + this.target + " while pulling "
                    + devicePath + unchanged, e);
        } catch (RuntimeException e) {
            closeQuietly(sync);
            throw e;
        } finally {
            guard.close();
        }
        syncs.giveBack(connection, sync);
    }

    /**
     * Runs a program under {@code shell,v2}. Its output reaches {@code output} on a transport thread
     * as it arrives; the calling thread waits, and its interrupt or the command's timeout kills the
     * program on the device before {@link dev.fastvlm.CancelledException} or
     * {@link dev.fastvlm.FastVlmTimeoutException} is thrown.
     */
    @Override
    public CommandResult run(DeviceCommand command, OutputListener output) {
        AdbLink connection = link();
        AdbStream stream;
        DeviceCommand bounded = command.withTimeout(Deadline.cap(command.timeout()));
        try {
            stream = connection.open("shell,v2,raw:" + ShellQuoting.script(bounded));
        } catch (IOException e) {
            RuntimeException stopped = stopped(e, connection, "starting " + command.program() + " on " + target);
            if (stopped != null) {
                throw stopped;
            }
            discard(connection);
            throw new DeviceDisconnectedException("cannot start " + command.program() + " on " + target
                    + ": " + e.getMessage(), e);
        }
        try {
            return new ShellRun(stream, bounded, output, target, this::kill, () -> discard(connection)).await(threads);
        } catch (DeviceDisconnectedException e) {
            discard(connection);
            throw e;
        }
    }

    /**
     * Like {@link #run}, but a non-zero exit becomes a {@link DeviceToolException} carrying the exit
     * code and the tail of stderr.
     *
     * @param command the program, its arguments, environment, directory and timeout
     * @param output receives stdout and stderr as they arrive
     * @return how the program ended, always with exit code 0
     * @throws DeviceToolException when the program ends with a non-zero exit code
     */
    public CommandResult runChecked(DeviceCommand command, OutputListener output) {
        CommandResult result = run(command, output);
        if (!result.succeeded()) {
            throw new DeviceToolException(command.program(), result.exitCode(), result.stderrTail());
        }
        return result;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        // Interrupts what still runs for it (a kill waiting for a PID, a reconnect): none outlives the transport.
        threads.shutdownNow();
        syncs.clear();
        if (link != null) {
            closeQuietly(link);
            link = null;
        }
    }

    /** TERM, a grace period, then KILL: a device program stopped by a timeout must really stop. */
    private void kill(int pid) {
        String script = "kill -TERM " + pid + " 2>/dev/null; i=0; "
                + "while kill -0 " + pid + " 2>/dev/null && [ $i -lt 20 ]; do sleep 0.1; i=$((i+1)); done; "
                + "kill -KILL " + pid + " 2>/dev/null; exit 0";
        try {
            try {
                DeviceScripts.output(this, script, Duration.ofSeconds(10));
            } catch (DeviceDisconnectedException e) {
                // The link the program ran on was dropped as stuck: the kill goes over a new one.
                DeviceScripts.output(this, script, Duration.ofSeconds(10));
            }
            LOG.debug("stopped PID {} on {}", pid, target);
        } catch (RuntimeException e) {
            LOG.warn("could not stop PID {} on {}: {}", pid, target, e.getMessage());
        }
    }


    /**
     * Removes what a failed push left. After a timeout or a cancel it still runs (the thread's
     * interrupt is set aside), but only for the time {@link Deadline#cleanUp} allows, so the request ends
     * within its margin; what is left then is swept by the next request.
     */
    private void removeQuietly(List<String> devicePaths) {
        StringBuilder script = new StringBuilder("rm -f");
        devicePaths.forEach(path -> script.append(' ').append(ShellQuoting.quote(path)));
        try {
            Deadline.cleanUp("removing " + devicePaths + " on " + target, REMOVE_TIMEOUT,
                    () -> DeviceScripts.output(this, script.toString(), REMOVE_TIMEOUT));
        } catch (RuntimeException e) {
            LOG.warn("could not remove {} on {}: {}", devicePaths, target, e.getMessage());
        }
    }

    /**
     * The exception for a transfer that stopped because its deadline passed (the link is then
     * presumed dead and dropped, so everything waiting on it ends) or its thread was interrupted
     * (the link stays); null for any other failure.
     */
    private RuntimeException stopped(IOException e, AdbLink connection, String what) {
        if (e instanceof SocketTimeoutException) {
            discard(connection);
            return Deadline.timeout(what, Duration.ZERO);
        }
        if (e instanceof InterruptedIOException) {
            Thread.currentThread().interrupt();
            return new CancelledException(what + " was cancelled", e);
        }
        return null;
    }

    /**
     * The current link, or a new one. A reconnect runs on a transport thread while the caller
     * waits only as long as its {@link Deadline} allows, and can be interrupted; a connection that
     * completes after its waiter gave up serves the next call.
     */
    private AdbLink link() {
        CompletableFuture<AdbLink> pending;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("transport to " + target + " is closed");
            }
            if (link != null) {
                return link;
            }
            if (connecting == null) {
                CompletableFuture<AdbLink> attempt = CompletableFuture.supplyAsync(() -> {
                    try {
                        return connector.open();
                    } catch (IOException e) {
                        throw new CompletionException(e);
                    }
                }, threads);
                connecting = attempt;
                // May run at once, on this thread, when the attempt is already over.
                attempt.whenComplete((opened, failure) -> connected(attempt, opened));
                pending = attempt;
            } else {
                pending = connecting;
            }
        }
        try {
            return pending.get(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw Deadline.timeout("reconnecting to " + target, Duration.ZERO);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancelledException("reconnecting to " + target + " was cancelled", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() instanceof CompletionException c && c.getCause() != null
                    ? c.getCause() : e.getCause();
            throw new DeviceDisconnectedException("cannot reconnect to " + target + ": " + cause.getMessage(), cause);
        }
    }

    /** Installs a link a reconnect opened, unless the transport closed meanwhile. */
    private synchronized void connected(CompletableFuture<AdbLink> attempt, AdbLink opened) {
        if (connecting == attempt) {
            connecting = null;
        }
        if (opened == null) {
            return;
        }
        if (closed || link != null) {
            closeQuietly(opened);
        } else {
            link = opened;
        }
    }

    /** Drops a connection that failed, so the next call reconnects instead of reusing it. */
    private synchronized void discard(AdbLink broken) {
        if (link == broken) {
            link = null;
            syncs.clear();
            closeQuietly(broken);
        }
    }

    private static void closeQuietly(SyncClient session) {
        if (session != null) {
            session.close();
        }
    }

    private static void closeQuietly(AdbLink connection) {
        try {
            connection.close();
        } catch (RuntimeException e) {
            LOG.debug("closing the adb connection failed: {}", e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.getMessage());
        }
    }


    /** This transport's threads: named after its target, daemon (see the threads section of {@code FastVlm}). */
    static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}

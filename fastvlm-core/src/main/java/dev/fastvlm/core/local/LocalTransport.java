package dev.fastvlm.core.local;

import dev.fastvlm.CancelledException;
import dev.fastvlm.DeviceException;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.transport.DeviceScripts;
import dev.fastvlm.transport.ShellQuoting;
import dev.fastvlm.core.device.HostProcesses;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;
import dev.fastvlm.transport.TransferListener;
import dev.fastvlm.transport.Transport;
import dev.fastvlm.transport.TransportCapability;
import dev.fastvlm.transport.Upload;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link Transport} for a JVM that runs on the device itself (a shell on the phone, Linux or
 * Windows-on-Snapdragon with a POSIX {@code sh}): device paths are local paths and programs are
 * local processes.
 *
 * <pre>{@code
 * try (FastVlm vlm = FastVlm.builder()
 *         .device(LocalTransport.create())
 *         .runtime(QairtRuntime.builder().sdkDirectory(sdk).deviceDirectory("/data/local/tmp/fastvlm").build())
 *         ...
 * }</pre>
 *
 * <p>Programs run as {@code sh -c 'cd DIR; export NAME=VALUE; exec PROGRAM ARGS'} with every
 * argument quoted by {@link ShellQuoting}, exactly as over ADB, so commands, environment and
 * working directory mean the same on both transports. A timeout or an interrupt of the calling
 * thread kills the program and its descendants (TERM, a grace period, then KILL). Writes land
 * under a temporary name in the target's directory and are renamed when complete; a push of a
 * file onto itself does nothing, and otherwise is a hard link when the filesystem allows it.
 *
 * <p>Thread-safe.
 */
public final class LocalTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger(LocalTransport.class);
    static final int STDERR_TAIL_BYTES = 4096;
    private static final Duration KILL_GRACE = Duration.ofSeconds(2);
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Map<String, String> environment;
    private final String shell;
    private final ExecutorService readers = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "fastvlm-local-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean closed;

    private LocalTransport(Builder builder) {
        this.environment = Map.copyOf(builder.environment);
        this.shell = builder.shell;
    }

    /**
     * Programs inherit this JVM's environment and run under {@code /bin/sh}.
     *
     * @return a transport for this machine
     */
    public static LocalTransport create() {
        return builder().build();
    }

    /**
     * A builder for extra environment variables or another shell.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String target() {
        return "local";
    }

    /**
     * {@inheritDoc}
     *
     * @return {@link TransportCapability#DEVICE_IS_THIS_MACHINE}: device paths are this machine's files
     */
    @Override
    public Set<TransportCapability> capabilities() {
        return Set.of(TransportCapability.DEVICE_IS_THIS_MACHINE);
    }

    /** Each file in turn; an atomic one through a temporary file beside it and a rename. */
    @Override
    public void writeAll(List<Upload> uploads, TransferListener progress) {
        uploads.forEach(upload -> checkedPath(upload.devicePath()));
        for (Upload upload : uploads) {
            write(upload, progress);
        }
    }

    private void write(Upload upload, TransferListener progress) {
        Path target = checkedPath(upload.devicePath());
        Path written = upload.atomic() ? temporaryBeside(target) : createParents(target);
        try {
            try (OutputStream out = new CountingStream(Files.newOutputStream(written), upload.length(), progress)) {
                upload.content().writeTo(out);
            }
            long size = Files.size(written);
            if (size != upload.length()) {
                throw new FastVlmException("the content of " + upload.devicePath() + " was " + size + " bytes, "
                        + upload.length() + " were announced");
            }
            if (upload.atomic()) {
                moveIntoPlace(written, target);
            }
        } catch (IOException e) {
            deleteQuietly(written);
            throw new DeviceException("cannot write " + upload.devicePath() + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(written);
            throw e;
        }
    }

    /**
     * Makes {@code devicePath} hold {@code hostFile}: nothing to do when they are the same file, a
     * hard link when the filesystem allows it, else a copy; executable bits are kept.
     */
    @Override
    public void push(Path hostFile, String devicePath, TransferListener progress) {
        Path target = checkedPath(devicePath);
        long length;
        try {
            length = Files.size(hostFile);
            if (Files.exists(target) && Files.isSameFile(hostFile, target)) {
                progress.onProgress(length, length);
                return;
            }
        } catch (IOException e) {
            throw new FastVlmException("cannot read " + hostFile + " to push it: " + e.getMessage(), e);
        }
        Path temporary = temporaryBeside(target);
        try {
            try {
                Files.createLink(temporary, hostFile.toAbsolutePath());
            } catch (UnsupportedOperationException | FileSystemException e) {
                LOG.debug("cannot link {} to {} ({}), copying", hostFile, target, e.getMessage());
                Files.copy(hostFile, temporary, StandardCopyOption.COPY_ATTRIBUTES);
            }
            if (Files.size(temporary) != length) {
                throw new DeviceException(hostFile + " changed while it was pushed to " + devicePath);
            }
            moveIntoPlace(temporary, target);
            progress.onProgress(length, length);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new DeviceException("cannot push " + hostFile + " to " + devicePath + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temporary);
            throw e;
        }
    }

    /** The device path of a file to read, which must be a regular file. */
    private Path regularFile(String devicePath) {
        Path source = checkedPath(devicePath);
        if (!Files.isRegularFile(source)) {
            throw new FastVlmException(Files.exists(source) ? devicePath + " is not a regular file"
                    : "no file " + devicePath);
        }
        return source;
    }

    /** The file's bytes, read where they are. */
    @Override
    public byte[] read(String devicePath, int maxBytes) {
        Path source = regularFile(devicePath);
        try {
            long size = Files.size(source);
            if (size > maxBytes) {
                throw new FastVlmException(devicePath + " holds " + size + " bytes, more than the " + maxBytes
                        + " expected");
            }
            return Files.readAllBytes(source);
        } catch (IOException e) {
            throw new FastVlmException("cannot read " + devicePath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void pull(String devicePath, Path hostFile, TransferListener progress) {
        Path source = regularFile(devicePath);
        Path target = hostFile.toAbsolutePath();
        long size;
        try {
            size = Files.size(source);
            if (Files.exists(target) && Files.isSameFile(source, target)) {
                progress.onProgress(size, size);
                return;
            }
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new FastVlmException("cannot pull " + devicePath + " to " + hostFile + ": " + e.getMessage(), e);
        }
        Path temporary = temporaryBeside(target);
        try {
            try (InputStream in = Files.newInputStream(source);
                 OutputStream out = new CountingStream(Files.newOutputStream(temporary), size, progress)) {
                in.transferTo(out);
            }
            long copied = Files.size(temporary);
            if (copied != size) {
                throw new DeviceException("pulled " + copied + " bytes of " + devicePath + ", but it has " + size
                        + " (changed while being read?)");
            }
            moveIntoPlace(temporary, target);
        } catch (IOException e) {
            deleteQuietly(temporary);
            throw new FastVlmException("cannot pull " + devicePath + " to " + hostFile + ": " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temporary);
            throw e;
        }
    }

    /**
     * Runs the program as a local process. Its output reaches {@code output} on a reader thread as
     * it arrives; the calling thread waits, and its interrupt or the command's timeout kills the
     * process tree before {@link CancelledException} or {@link FastVlmTimeoutException} is thrown.
     */
    @Override
    public CommandResult run(DeviceCommand command, OutputListener output) {
        if (closed) {
            throw new IllegalStateException("local transport is closed");
        }
        ProcessBuilder builder = new ProcessBuilder(shell, "-c", ShellQuoting.execScript(command));
        builder.environment().putAll(environment);
        long start = System.nanoTime();
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new DeviceException("cannot start " + shell + " for " + command.program() + ": " + e.getMessage(), e);
        }
        closeQuietly(process.getOutputStream());
        StderrTail stderr = new StderrTail();
        AtomicReference<RuntimeException> listenerFailure = new AtomicReference<>();
        Future<?> out = readers.submit(() -> pump(process.getInputStream(), output::onStdout, process,
                listenerFailure));
        Future<?> err = readers.submit(() -> pump(process.getErrorStream(), (data, offset, length) -> {
            stderr.append(data, offset, length);
            output.onStderr(data, offset, length);
        }, process, listenerFailure));
        Duration limit = Deadline.cap(command.timeout());
        try {
            if (!process.waitFor(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                stop(process, command);
                // A limit cut short by the caller's deadline is the caller's timeout.
                throw limit.equals(command.timeout())
                        ? new FastVlmTimeoutException(command.program() + " (local)", command.timeout())
                        : Deadline.timeout(command.program() + " (local)", limit);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(process, command);
            throw new CancelledException(command.program() + " (local) was cancelled and stopped", e);
        }
        // The process has exited: its pipes end now, unless a background child still holds them.
        finish(out, command);
        finish(err, command);
        // Recorded before the reader starts killing the program, so it surfaces even while that kill is still waiting.
        if (listenerFailure.get() != null) {
            throw listenerFailure.get();
        }
        return new CommandResult(process.exitValue(), stderr.text(), Duration.ofNanos(System.nanoTime() - start));
    }

    @Override
    public void close() {
        closed = true;
        readers.shutdown();
    }

    @FunctionalInterface
    private interface Sink {
        void accept(byte[] data, int offset, int length);
    }

    /** Copies a pipe to the listener as bytes arrive; a failing listener stops the program. */
    private static Void pump(InputStream in, Sink sink, Process process,
                             AtomicReference<RuntimeException> listenerFailure) throws IOException {
        byte[] buffer = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                try {
                    sink.accept(buffer, 0, n);
                } catch (RuntimeException e) {
                    listenerFailure.compareAndSet(null, e);
                    killTree(process);
                    throw e;
                }
            }
        }
        return null;
    }

    private static void finish(Future<?> reader, DeviceCommand command) {
        try {
            reader.get(KILL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            reader.cancel(true);
            LOG.debug("{} exited but a child still holds its output open; not waiting for it", command.program());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            LOG.debug("reading the output of {} failed: {}", command.program(), e.getCause().getMessage());
        }
    }

    /** {@link #killTree} within what the caller's deadline (or cancel) leaves for cleaning up. */
    private static void stop(Process process, DeviceCommand command) {
        Deadline.cleanUp("stopping " + command.program() + " (local)", KILL_GRACE, () -> killTree(process));
    }

    /**
     * TERM to the process and everything it started, a grace period (at most what the thread's
     * {@link Deadline} leaves), then KILL to what is left.
     */
    static void killTree(Process process) {
        HostProcesses.terminateTree(process, Deadline.remainingNanos(KILL_GRACE.toNanos()));
    }

    private static Path checkedPath(String devicePath) {
        DeviceScripts.checkDevicePath(devicePath);
        return Path.of(devicePath);
    }

    /** A unique name in the target's own directory, so the final rename stays on one filesystem. */
    private static Path temporaryBeside(Path target) {
        return createParents(target).resolveSibling(".fastvlm-" + UUID.randomUUID() + ".part");
    }

    private static Path createParents(Path target) {
        Path directory = target.toAbsolutePath().getParent();
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new DeviceException("cannot create " + directory + ": " + e.getMessage(), e);
        }
        return target.toAbsolutePath();
    }

    private static void moveIntoPlace(Path temporary, Path target) throws IOException {
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (NoSuchFileException e) {
            // Gone already.
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", file, e.getMessage());
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            LOG.debug("closing a program's stdin failed: {}", e.getMessage());
        }
    }

    /** Counts bytes for progress, and refuses content longer than announced. */
    private static final class CountingStream extends FilterOutputStream {
        private final long length;
        private final TransferListener progress;
        private long done;

        CountingStream(OutputStream out, long length, TransferListener progress) {
            super(out);
            this.length = length;
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int offset, int count) throws IOException {
            if (done + count > length) {
                throw new FastVlmException("content longer than the " + length + " bytes announced");
            }
            out.write(b, offset, count);
            done += count;
            progress.onProgress(done, length);
        }
    }

    /** Keeps the last {@link #STDERR_TAIL_BYTES} of stderr for error messages. */
    private static final class StderrTail {
        private final byte[] ring = new byte[STDERR_TAIL_BYTES];
        private long total;

        synchronized void append(byte[] data, int offset, int length) {
            for (int i = 0; i < length; i++) {
                ring[(int) (total++ % ring.length)] = data[offset + i];
            }
        }

        synchronized String text() {
            int size = (int) Math.min(total, ring.length);
            byte[] ordered = new byte[size];
            long first = total - size;
            for (int i = 0; i < size; i++) {
                ordered[i] = ring[(int) ((first + i) % ring.length)];
            }
            return new String(ordered, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** Settings of a {@link LocalTransport}. */
    public static final class Builder {
        private final Map<String, String> environment = new LinkedHashMap<>();
        private String shell = "/bin/sh";

        private Builder() {
        }

        /**
         * Sets a variable for every program on top of this JVM's environment (e.g. a {@code PATH}
         * holding {@code getprop} on a laptop); a command's own variables still win.
         *
         * @param name a shell variable name: letters, digits and {@code _}, not starting with a digit
         * @param value the value, not null
         * @return this builder
         * @throws InvalidConfigurationException when {@code name} is not a variable name
         * @throws NullPointerException when {@code value} is null
         */
        public Builder environment(String name, String value) {
            Objects.requireNonNull(value, "value");
            if (name == null || !name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new InvalidConfigurationException("environment", "not a variable name: " + name);
            }
            environment.put(name, value);
            return this;
        }

        /**
         * The POSIX shell that starts programs; {@code /bin/sh} when not set.
         *
         * @param shell the shell's path or name
         * @return this builder
         * @throws InvalidConfigurationException when {@code shell} is null or blank
         */
        public Builder shell(String shell) {
            if (shell == null || shell.isBlank()) {
                throw new InvalidConfigurationException("shell", "must name a POSIX shell");
            }
            this.shell = shell;
            return this;
        }

        /**
         * Creates the transport.
         *
         * @return a transport for this machine; close it to stop its reader threads
         */
        public LocalTransport build() {
            return new LocalTransport(this);
        }
    }
}

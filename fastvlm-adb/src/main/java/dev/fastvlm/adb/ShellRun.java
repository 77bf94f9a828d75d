package dev.fastvlm.adb;

import dev.fastvlm.CancelledException;
import dev.fastvlm.DeviceDisconnectedException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.transport.CommandResult;
import dev.fastvlm.transport.Deadline;
import dev.fastvlm.transport.DeviceCommand;
import dev.fastvlm.transport.OutputListener;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * One program running under {@code shell,v2}: demultiplexes its stdout/stderr/exit packets, and
 * stops it on the device when its time limit passes or the calling thread is interrupted.
 */
final class ShellRun {

    static final int STDERR_TAIL_BYTES = 4096;
    private static final int ID_STDOUT = 1;
    private static final int ID_STDERR = 2;
    private static final int ID_EXIT = 3;
    private static final long KILL_WAIT_SECONDS = 15;

    private enum Stop { TIMEOUT, CANCELLED }

    private final AdbStream stream;
    private final DeviceCommand command;
    private final OutputListener output;
    private final String target;
    private final IntConsumer killer;
    private final Runnable linkSuspect;
    private final AtomicReference<Stop> stop = new AtomicReference<>();
    private final CompletableFuture<Void> killed = new CompletableFuture<>();
    private final StderrTail stderr = new StderrTail();
    private final java.util.concurrent.CountDownLatch pidKnown = new java.util.concurrent.CountDownLatch(1);
    private volatile int pid = -1;
    private byte[] pidLine = new byte[0];

    /**
     * @param killer      kills a device PID (blocking), called from a helper thread on timeout or cancel
     * @param linkSuspect called when a kill is not confirmed in time: the link may be dead, and is
     *                    dropped so that nothing else waits on it
     */
    ShellRun(AdbStream stream, DeviceCommand command, OutputListener output, String target, IntConsumer killer,
             Runnable linkSuspect) {
        this.stream = stream;
        this.command = command;
        this.output = output;
        this.target = target;
        this.killer = killer;
        this.linkSuspect = linkSuspect;
    }

    /**
     * Reads the program's output on a helper thread while the caller waits, so that the caller's
     * interrupt or time limit never breaks the read itself: the reader goes on until the device
     * reports the exit of the program it was asked to kill.
     */
    CommandResult await(ExecutorService threads) {
        long start = System.nanoTime();
        Future<Integer> exit = threads.submit(this::readUntilExit);
        boolean interrupted = false;
        try {
            int exitCode = exit.get(command.timeout().toNanos(), TimeUnit.NANOSECONDS);
            return new CommandResult(exitCode, stderr.text(), Duration.ofNanos(System.nanoTime() - start));
        } catch (TimeoutException e) {
            stopOnDevice(Stop.TIMEOUT, threads);
        } catch (InterruptedException e) {
            interrupted = true;
            stopOnDevice(Stop.CANCELLED, threads);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw new DeviceDisconnectedException("lost the connection to " + target + " while "
                        + command.program() + " was running: " + io.getMessage(), io);
            }
            // The caller's listener failed: the program must not outlive the call.
            stopOnDevice(Stop.CANCELLED, threads);
            awaitKill(false);
            closeStream();
            throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
        } finally {
            if (stop.get() == null) {
                closeStream();
            }
        }
        awaitKill(interrupted);
        closeStream();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (stop.get() == Stop.TIMEOUT) {
            // A limit cut short by the request's deadline is the request's timeout.
            throw Deadline.current().filter(d -> d.remaining().isZero()).map(Deadline::expired)
                    .orElseGet(() -> new FastVlmTimeoutException(command.program() + " on " + target,
                            command.timeout()));
        }
        throw new CancelledException(command.program() + " on " + target + " was cancelled and stopped");
    }

    private int readUntilExit() throws IOException {
        DataInputStream in = new DataInputStream(stream.input());
        byte[] buffer = new byte[8192];
        while (true) {
            int id = in.read();
            if (id < 0) {
                throw new EOFException("the shell stream ended before the program's exit status");
            }
            long length = Integer.reverseBytes(in.readInt()) & 0xFFFF_FFFFL;
            if (id == ID_EXIT) {
                if (length != 1) {
                    throw new IOException("shell exit packet of " + length + " bytes");
                }
                return in.readUnsignedByte();
            }
            if (id != ID_STDOUT && id != ID_STDERR) {
                throw new IOException("unknown shell packet id " + id);
            }
            while (length > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length));
                if (n < 0) {
                    throw new EOFException("the shell stream ended inside a packet");
                }
                length -= n;
                if (id == ID_STDOUT) {
                    stdout(buffer, n);
                } else {
                    stderr.append(buffer, n);
                    output.onStderr(buffer, 0, n);
                }
            }
        }
    }

    /** The first stdout line is the PID the wrapper script printed; the program's output follows. */
    private void stdout(byte[] data, int length) {
        int offset = 0;
        if (pid < 0) {
            int newline = -1;
            for (int i = 0; i < length; i++) {
                if (data[i] == '\n') {
                    newline = i;
                    break;
                }
            }
            int take = newline < 0 ? length : newline;
            byte[] grown = java.util.Arrays.copyOf(pidLine, pidLine.length + take);
            System.arraycopy(data, 0, grown, pidLine.length, take);
            pidLine = grown;
            if (newline < 0) {
                return;
            }
            pid = Integer.parseInt(new String(pidLine, StandardCharsets.US_ASCII).strip());
            pidKnown.countDown();
            offset = newline + 1;
        }
        if (offset < length) {
            output.onStdout(data, offset, length - offset);
        }
    }

    private void stopOnDevice(Stop reason, ExecutorService threads) {
        if (!stop.compareAndSet(null, reason)) {
            return;
        }
        threads.execute(() -> {
            try {
                // The reader is still reading, so a PID line not yet seen arrives shortly.
                if (pidKnown.await(KILL_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    killer.accept(pid);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                killed.complete(null);
            }
        });
    }

    private void closeStream() {
        try {
            stream.close();
        } catch (Exception e) {
            // Already closed by the other side.
        }
    }

    /**
     * Waits for the kill as long as the request can still afford: {@link #KILL_WAIT_SECONDS}
     * without a deadline, else its clean-up margin ({@link Deadline#cleanUp}), at most
     * {@link Deadline#CANCEL_CLEANUP} after a cancel. A kill not confirmed by then goes on in the
     * background, and the link, which may be what is stuck, is dropped.
     */
    private void awaitKill(boolean cancelled) {
        if (cancelled) {
            Thread.currentThread().interrupt();
        }
        boolean[] confirmed = {false};
        try {
            Deadline.cleanUp("stopping " + command.program() + " on " + target, Duration.ofSeconds(KILL_WAIT_SECONDS),
                    () -> {
                        try {
                            killed.get(Deadline.remainingNanos(Long.MAX_VALUE), TimeUnit.NANOSECONDS);
                            confirmed[0] = true;
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        } catch (ExecutionException | TimeoutException e) {
                            // Not confirmed: handled below; the caller's exception says what happened.
                        }
                    });
        } finally {
            if (cancelled) {
                Thread.interrupted();
            }
        }
        if (!confirmed[0]) {
            linkSuspect.run();
        }
    }

    /** Keeps the last {@link #STDERR_TAIL_BYTES} of stderr for error messages. */
    private static final class StderrTail {
        private final byte[] ring = new byte[STDERR_TAIL_BYTES];
        private long total;

        void append(byte[] data, int length) {
            for (int i = 0; i < length; i++) {
                ring[(int) (total++ % ring.length)] = data[i];
            }
        }

        String text() {
            int size = (int) Math.min(total, ring.length);
            byte[] ordered = new byte[size];
            long first = total - size;
            for (int i = 0; i < size; i++) {
                ordered[i] = ring[(int) ((first + i) % ring.length)];
            }
            return new String(ordered, StandardCharsets.UTF_8);
        }
    }
}

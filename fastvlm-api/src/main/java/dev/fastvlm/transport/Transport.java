package dev.fastvlm.transport;

import dev.fastvlm.FastVlmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * The way to a device: move files and run programs. Implementations: ADB to a phone (or to the
 * emulator), and local for on-device use. Device paths are absolute POSIX paths.
 *
 * <h2>What the device must offer</h2>
 * The library runs its housekeeping as {@code sh -c SCRIPT} through {@link #run}, so the device
 * needs a POSIX shell ({@code sh}: {@code cd}, {@code export}, {@code exec}, {@code echo $$},
 * redirections) with {@code mkdir -p}, {@code rm -rf}, {@code mv}, {@code cat}, {@code stat},
 * {@code df}, {@code sha256sum} and {@code getprop ro.soc.model} on its {@code PATH}, a writable
 * device directory, and the QAIRT programs it pushes there ({@code qnn-net-run},
 * {@code genie-t2t-run}) able to run. An Android phone's {@code toybox} offers all of these.
 *
 * <h2>Threads</h2>
 * An implementation is thread-safe: the library calls it from several threads at once. While one
 * request's device program runs through {@link #run}, the instance's clean-up thread runs
 * {@code rm -rf} on an earlier request's directory, and concurrent requests of other instances
 * push, pull and run on the same transport. Each call obeys the {@link Deadline} and interrupt of
 * the thread that makes it, not another's. {@link #close()} may be called from any thread, also
 * while calls run: they then end with a {@link dev.fastvlm.DeviceException} or
 * {@link dev.fastvlm.CancelledException}.
 *
 * <h2>Contract every implementation keeps</h2>
 * <ul>
 *   <li>a push lands under a temporary name and is renamed only when complete (unless the caller
 *       asks for an {@link Upload#inPlace() in-place} upload, which is still removed if it fails);</li>
 *   <li>{@link #run} returns the program's real exit code; a timeout stops the program on the device
 *       and throws {@link dev.fastvlm.FastVlmTimeoutException}; interruption stops it and throws
 *       {@link dev.fastvlm.CancelledException};</li>
 *   <li>failures to reach the device are {@link dev.fastvlm.DeviceException}s;</li>
 *   <li>every wait (connecting, opening a stream, each read and write, each program) obeys the
 *       calling thread's {@link Deadline}, ending with its {@link dev.fastvlm.FastVlmTimeoutException},
 *       and its interrupt, ending with {@link dev.fastvlm.CancelledException}.</li>
 * </ul>
 */
public interface Transport extends AutoCloseable {

    /**
     * Who is on the other end, for messages and logs (an ADB serial, {@code local}, ...).
     *
     * @return a short name of the device for messages, for example an ADB serial
     */
    String target();

    /**
     * Writes a device file whose content {@code content} produces, exactly {@code length} bytes,
     * creating parent directories.
     *
     * @param devicePath absolute device path of the file
     * @param length the exact number of bytes {@code content} writes
     * @param content writes the bytes into the stream that carries them to the device
     * @param progress told of the bytes written; {@link TransferListener#NONE} for none
     * @throws dev.fastvlm.DeviceException when the device cannot be reached
     * @throws dev.fastvlm.FastVlmTimeoutException when the current {@link Deadline} passes
     * @throws dev.fastvlm.CancelledException when the thread is interrupted
     */
    default void write(String devicePath, long length, ContentWriter content, TransferListener progress) {
        writeAll(List.of(new Upload(devicePath, length, content)), progress);
    }

    /**
     * Writes several files as one transfer, in order. Each {@link Upload#atomic() atomic} upload
     * lands under its final name only when complete, exactly as with {@link #write}; an
     * implementation may share one transfer session and one rename step among them, so that a
     * batch costs fewer device round trips than its files written one by one (over ADB: one sync
     * session and at most one {@code mv} for the whole batch). {@code progress} reports each file
     * in turn. When the batch fails, no file of it that was not yet complete is left under its
     * final name.
     *
     * @param uploads the files, written in this order
     * @param progress told of each file's bytes in turn; {@link TransferListener#NONE} for none
     * @throws dev.fastvlm.DeviceException when the device cannot be reached
     * @throws dev.fastvlm.FastVlmTimeoutException when the current {@link Deadline} passes
     * @throws dev.fastvlm.CancelledException when the thread is interrupted
     */
    void writeAll(List<Upload> uploads, TransferListener progress);

    /**
     * Copies a host file to the device.
     *
     * @param hostFile the file to copy
     * @param devicePath absolute device path it lands at (atomically)
     * @param progress told of the bytes written; {@link TransferListener#NONE} for none
     * @throws FastVlmException when {@code hostFile} cannot be read, or the transfer fails
     */
    default void push(Path hostFile, String devicePath, TransferListener progress) {
        long length;
        try {
            length = Files.size(hostFile);
        } catch (IOException e) {
            throw new FastVlmException("cannot read " + hostFile + " to push it: " + e.getMessage(), e);
        }
        write(devicePath, length, out -> Files.copy(hostFile, out), progress);
    }

    /**
     * Copies a device file to the host, replacing {@code hostFile} only once the copy is complete.
     *
     * @param devicePath absolute device path of the file
     * @param hostFile where the copy goes; left untouched when the pull fails
     * @param progress told of the bytes read; {@link TransferListener#NONE} for none
     * @throws dev.fastvlm.DeviceException when the device cannot be reached or the file cannot be read
     * @throws dev.fastvlm.FastVlmTimeoutException when the current {@link Deadline} passes
     * @throws dev.fastvlm.CancelledException when the thread is interrupted
     */
    void pull(String devicePath, Path hostFile, TransferListener progress);

    /**
     * Reads a whole device file into memory, for outputs the host parses at once (a tensor, a
     * profile): no host file to create and remove. This default pulls through a temporary file;
     * transports override it to read straight into memory.
     *
     * @param devicePath absolute device path of the file
     * @param maxBytes the largest size the caller accepts
     * @return the file's bytes
     * @throws FastVlmException when the file holds more than {@code maxBytes} bytes
     */
    default byte[] read(String devicePath, int maxBytes) {
        Path temporary = null;
        try {
            temporary = Files.createTempFile("fastvlm-read-", ".part");
            pull(devicePath, temporary, TransferListener.NONE);
            long size = Files.size(temporary);
            if (size > maxBytes) {
                throw new FastVlmException(devicePath + " on " + target() + " holds " + size
                        + " bytes, more than the " + maxBytes + " expected");
            }
            return Files.readAllBytes(temporary);
        } catch (IOException e) {
            throw new FastVlmException("cannot read " + devicePath + " from " + target() + " through " + temporary
                    + ": " + e.getMessage(), e);
        } finally {
            if (temporary != null) {
                try {
                    Files.deleteIfExists(temporary);
                } catch (IOException ignored) {
                    // A temporary file in the system's temporary folder; nothing more to do.
                }
            }
        }
    }

    /**
     * Runs a program, streaming its output to {@code output}, and returns how it ended.
     *
     * @param command the program, its arguments, environment, directory and timeout
     * @param output receives stdout and stderr as they arrive; {@link OutputListener#NONE} to drop them
     * @return the exit code, the end of stderr and the wall time; a non-zero exit code is returned, not thrown
     * @throws dev.fastvlm.FastVlmTimeoutException when the program outlives its timeout or the current deadline (the
     *     program is stopped)
     * @throws dev.fastvlm.CancelledException when the thread is interrupted (the program is stopped)
     * @throws dev.fastvlm.DeviceException when the device cannot be reached
     */
    CommandResult run(DeviceCommand command, OutputListener output);

    /**
     * What this transport offers beyond the contract above; the library asks this instead of
     * testing the transport's class, so a wrapper (one that counts bytes, say) passes on what
     * the transport it wraps offers. None by default.
     *
     * @return the capabilities, empty when the transport offers only the contract
     */
    default Set<TransportCapability> capabilities() {
        return Set.of();
    }

    /** Releases the connection. */
    @Override
    void close();
}

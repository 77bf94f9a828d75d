package dev.fastvlm.transport;

import dev.fastvlm.FastVlmException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The way to a device: move files and run programs. Implementations: ADB to a phone (or to the
 * emulator), and local for on-device use. Device paths are absolute POSIX paths.
 *
 * <p>Contract every implementation keeps:
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

    /** Who is on the other end, for messages and logs (an ADB serial, {@code local}, ...). */
    String target();

    /**
     * Writes a device file whose content {@code content} produces, exactly {@code length} bytes,
     * creating parent directories.
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
     */
    void writeAll(List<Upload> uploads, TransferListener progress);

    /** Copies a host file to the device. */
    default void push(Path hostFile, String devicePath, TransferListener progress) {
        long length;
        try {
            length = Files.size(hostFile);
        } catch (IOException e) {
            throw new FastVlmException("cannot read " + hostFile + " to push it: " + e.getMessage(), e);
        }
        write(devicePath, length, out -> Files.copy(hostFile, out), progress);
    }

    /** Copies a device file to the host, replacing {@code hostFile} only once the copy is complete. */
    void pull(String devicePath, Path hostFile, TransferListener progress);

    /**
     * Reads a whole device file into memory, for outputs the host parses at once (a tensor, a
     * profile): no host file to create and remove. This default pulls through a temporary file;
     * transports override it to read straight into memory.
     *
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

    /** Runs a program, streaming its output to {@code output}, and returns how it ended. */
    CommandResult run(DeviceCommand command, OutputListener output);

    /** Releases the connection. */
    @Override
    void close();
}

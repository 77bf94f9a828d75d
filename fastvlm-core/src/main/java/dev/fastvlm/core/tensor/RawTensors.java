package dev.fastvlm.core.tensor;

import dev.fastvlm.FastVlmException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.transport.ContentWriter;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * Headerless little-endian tensor files, the format of {@code qnn-net-run}'s outputs, of
 * Genie's embedding files and of {@code LUT.bin}.
 */
public final class RawTensors {
    private RawTensors() {
    }

    /**
     * Maps {@code file} read-only, little-endian. The mapping outlives the channel, so nothing
     * stays open; the pages are loaded lazily by the OS, never copied into the heap.
     *
     * @param what what the file is, for messages ("vision output", "LUT")
     * @param file the tensor file
     * @return a read-only little-endian buffer over the whole file
     * @throws dev.fastvlm.ModelArtifactException when the file is missing, unreadable or larger than 2 GiB
     */
    public static ByteBuffer map(Path file, String what) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size > Integer.MAX_VALUE) {
                throw new ModelArtifactException(what + " " + file + " is " + size
                        + " bytes; files over 2 GiB must be mapped in parts");
            }
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
        } catch (NoSuchFileException e) {
            throw new ModelArtifactException(what + " " + file + " does not exist", e);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code target} with what {@code content} produces: first under a temporary name in
     * the same directory, then moved into place, so a failure never leaves a half-written file
     * under the final name. The file gets the mode the user's umask gives new files.
     *
     * @param target the file to write; its parent folders are created
     * @param content writes the file's bytes
     * @throws dev.fastvlm.FastVlmException when the file cannot be written
     */
    public static void writeAtomically(Path target, ContentWriter content) {
        Path absolute = target.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(absolute.getParent());
            // Not createTempFile: its owner-only mode would carry over to the final file; this one gets the umask's.
            temp = absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".part");
            try (OutputStream out = Files.newOutputStream(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(out);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new FastVlmException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // The write already failed; that failure is the one to report.
                }
            }
        }
    }
}

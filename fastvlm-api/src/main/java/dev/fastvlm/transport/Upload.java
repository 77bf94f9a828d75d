package dev.fastvlm.transport;

import dev.fastvlm.InvalidConfigurationException;

/**
 * One file of a {@link Transport#writeAll batch}: where it goes on the device, its exact length,
 * what produces its content, and whether it must land atomically.
 *
 * @param devicePath absolute device path of the file
 * @param length     exact number of bytes {@code content} writes
 * @param content    writes the file's bytes
 * @param atomic     true (the default): the file is written under a temporary name and renamed
 *                   once complete, so nobody ever sees a partial file under its name. False (see
 *                   {@link #inPlace()}): written straight under its name, which saves the rename's
 *                   device round trip
 */
public record Upload(String devicePath, long length, ContentWriter content, boolean atomic) {

    /**
     * Checks the fields.
     *
     * @param devicePath absolute device path of the file
     * @param length exact number of bytes {@code content} writes
     * @param content writes the file's bytes
     * @param atomic true (the default): the file is written under a temporary name and renamed once complete, so
     *     nobody ever sees a partial file under its name. False (see {@link #inPlace()}): written straight under its
     *     name, which saves the rename's device round trip
     * @throws InvalidConfigurationException when {@code devicePath} is empty, {@code length} negative or
     *     {@code content} null
     */
    public Upload {
        if (devicePath == null || devicePath.isEmpty()) {
            throw new InvalidConfigurationException("upload.devicePath", "must name a device file");
        }
        if (length < 0) {
            throw new InvalidConfigurationException("upload.length", "must not be negative, was " + length
                    + " for " + devicePath);
        }
        if (content == null) {
            throw new InvalidConfigurationException("upload.content", "must not be null for " + devicePath);
        }
    }

    /**
     * An atomic upload.
     *
     * @param devicePath absolute device path of the file
     * @param length exact number of bytes {@code content} writes
     * @param content writes the file's bytes
     */
    public Upload(String devicePath, long length, ContentWriter content) {
        this(devicePath, length, content, true);
    }

    /**
     * A small file whose bytes are already in memory (atomic).
     *
     * @param devicePath absolute device path of the file
     * @param bytes the file's content; copied, so the caller may reuse the array
     * @return an atomic upload of {@code bytes}
     */
    public static Upload of(String devicePath, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new Upload(devicePath, copy.length, out -> out.write(copy));
    }

    /**
     * The same file written straight under its name. Only for a file nothing reads before the
     * batch has returned, in a directory private to one job that is removed if the job fails (a
     * request's working directory): there a partial file can never be mistaken for a whole one.
     * A transport still removes a partial file when the write fails.
     *
     * @return a copy of this upload that is not atomic
     */
    public Upload inPlace() {
        return new Upload(devicePath, length, content, false);
    }
}

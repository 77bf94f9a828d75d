package dev.fastvlm.transport;

import dev.fastvlm.InvalidConfigurationException;

/**
 * One file of a {@link Transport#writeAll batch}: where it goes on the device, its exact length,
 * and what produces its content.
 *
 * @param devicePath absolute device path of the file
 * @param length     exact number of bytes {@code content} writes
 * @param content    writes the file's bytes
 */
public record Upload(String devicePath, long length, ContentWriter content) {

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

    /** A small file whose bytes are already in memory. */
    public static Upload of(String devicePath, byte[] bytes) {
        byte[] copy = bytes.clone();
        return new Upload(devicePath, copy.length, out -> out.write(copy));
    }
}

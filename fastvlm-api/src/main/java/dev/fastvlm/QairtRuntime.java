package dev.fastvlm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Where Qualcomm's QAIRT SDK is on the host (its device binaries and libraries are pushed from
 * there), where the flow works on the device, and which engine decodes.
 *
 * @param sdkDirectory    the QAIRT SDK root (holding {@code bin/aarch64-android}, {@code lib/...})
 * @param deviceDirectory an absolute device path for artifacts and per-request files: letters, digits
 *                        and {@code . _ - /} only, no {@code ..}
 * @param decoderBackend  the Genie engine backend for the decoder
 */
public record QairtRuntime(Path sdkDirectory, String deviceDirectory, DecoderBackend decoderBackend) {

    /** The seed flow's working directory on the device. */
    public static final String DEFAULT_DEVICE_DIRECTORY = "/data/local/tmp/fastvlm";
    /** Device paths reach device shells and library search paths; these characters mean nothing to either. */
    private static final Pattern SAFE_DEVICE_PATH = Pattern.compile("/[A-Za-z0-9._/-]*");

    /**
     * Checks every field.
     *
     * @param sdkDirectory the QAIRT SDK root (holding {@code bin/aarch64-android}, {@code lib/...})
     * @param deviceDirectory an absolute device path for artifacts and per-request files: letters, digits and
     *     {@code . _ - /} only, no {@code ..}
     * @param decoderBackend the Genie engine backend for the decoder
     * @throws InvalidConfigurationException naming the field that is missing or wrong: an SDK path that is not a
     *     directory, a device directory that is relative, holds other characters or {@code ..}
     */
    public QairtRuntime {
        Checks.required(sdkDirectory, "runtime.sdkDirectory", "point it at the QAIRT SDK folder");
        Checks.check(Files.isDirectory(sdkDirectory), "runtime.sdkDirectory",
                "is not a directory: " + sdkDirectory.toAbsolutePath());
        Checks.notBlank(deviceDirectory, "runtime.deviceDirectory");
        Checks.check(deviceDirectory.startsWith("/"), "runtime.deviceDirectory",
                "must be an absolute device path, was " + deviceDirectory);
        Checks.check(SAFE_DEVICE_PATH.matcher(deviceDirectory).matches(), "runtime.deviceDirectory",
                "must be a plain absolute path of letters, digits and . _ - / (no shell characters such as ; $ `"
                        + " spaces or quotes), was " + deviceDirectory);
        Checks.check(Arrays.stream(deviceDirectory.split("/")).noneMatch(part -> part.equals("..")),
                "runtime.deviceDirectory", "must not contain \"..\", was " + deviceDirectory);
        Checks.required(decoderBackend, "runtime.decoderBackend", "CPU or HTP");
    }

    /**
     * The SDK at {@code sdkDirectory}, the default device directory and the CPU decoder of the seed flow.
     *
     * @param sdkDirectory the QAIRT SDK's root folder on the host
     * @return the runtime
     * @throws InvalidConfigurationException when {@code sdkDirectory} is not a directory
     */
    public static QairtRuntime of(Path sdkDirectory) {
        return builder().sdkDirectory(sdkDirectory).build();
    }

    /**
     * A builder with the defaults of {@link #of(Path)}.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** Mutable builder; {@link #build()} validates. */
    public static final class Builder {
        private Path sdkDirectory;
        private String deviceDirectory = DEFAULT_DEVICE_DIRECTORY;
        private DecoderBackend decoderBackend = DecoderBackend.CPU;

        private Builder() {
        }

        /**
         * The QAIRT SDK's root folder. Required.
         *
         * @param sdkDirectory the folder holding {@code bin/aarch64-android} and {@code lib/...}
         * @return this builder
         */
        public Builder sdkDirectory(Path sdkDirectory) {
            this.sdkDirectory = sdkDirectory;
            return this;
        }

        /**
         * The device folder for model files and per-request files; {@value #DEFAULT_DEVICE_DIRECTORY} when not set.
         *
         * @param deviceDirectory an absolute device path of letters, digits and {@code . _ - /}, without {@code ..}
         * @return this builder
         */
        public Builder deviceDirectory(String deviceDirectory) {
            this.deviceDirectory = deviceDirectory;
            return this;
        }

        /**
         * The Genie backend for the decoder; {@link DecoderBackend#CPU} when not set.
         *
         * @param decoderBackend {@link DecoderBackend#CPU} or {@link DecoderBackend#HTP}
         * @return this builder
         */
        public Builder decoderBackend(DecoderBackend decoderBackend) {
            this.decoderBackend = decoderBackend;
            return this;
        }

        /**
         * Validates and creates the runtime.
         *
         * @return the runtime
         * @throws InvalidConfigurationException naming the field that is missing or wrong
         */
        public QairtRuntime build() {
            return new QairtRuntime(sdkDirectory, deviceDirectory, decoderBackend);
        }
    }
}

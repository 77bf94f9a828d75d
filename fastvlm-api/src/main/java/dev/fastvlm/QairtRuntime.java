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

    /** The SDK at {@code sdkDirectory}, the default device directory and the CPU decoder of the seed flow. */
    public static QairtRuntime of(Path sdkDirectory) {
        return builder().sdkDirectory(sdkDirectory).build();
    }

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

        public Builder sdkDirectory(Path sdkDirectory) {
            this.sdkDirectory = sdkDirectory;
            return this;
        }

        public Builder deviceDirectory(String deviceDirectory) {
            this.deviceDirectory = deviceDirectory;
            return this;
        }

        public Builder decoderBackend(DecoderBackend decoderBackend) {
            this.decoderBackend = decoderBackend;
            return this;
        }

        public QairtRuntime build() {
            return new QairtRuntime(sdkDirectory, deviceDirectory, decoderBackend);
        }
    }
}

package dev.fastvlm.core.pipeline;

import dev.fastvlm.DecoderBackend;
import dev.fastvlm.ModelArtifactException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A QAIRT SDK folder on the host, and the device files it contributes for one HTP architecture:
 * the two device programs and the libraries they load (docs/qualcomm-formats.md, section 8). Every missing file is
 * reported at once, before any device work.
 */
public final class QairtSdk {

    static final String QNN_NET_RUN = "qnn-net-run";
    static final String GENIE_T2T_RUN = "genie-t2t-run";
    static final String HTP_BACKEND = "libQnnHtp.so";
    static final String SYSTEM_LIBRARY = "libQnnSystem.so";

    private final Path root;
    private final List<Path> deviceFiles;

    private QairtSdk(Path root, List<Path> deviceFiles) {
        this.root = root;
        this.deviceFiles = List.copyOf(deviceFiles);
    }

    /**
     * The files to push from {@code root} for a device whose HTP architecture is {@code htpArch}
     * (such as {@code v79}) and the chosen decoder backend.
     *
     * @param root the SDK's root folder
     * @param htpArch the device's HTP architecture, {@code v} and two digits
     * @param decoder the decoder backend, which adds the CPU decoder's library for {@link DecoderBackend#CPU}
     * @return the SDK's device files
     * @throws ModelArtifactException naming every file the SDK lacks
     * @throws IllegalArgumentException when {@code htpArch} does not look like {@code v79}
     */
    public static QairtSdk open(Path root, String htpArch, DecoderBackend decoder) {
        if (!htpArch.matches("v\\d\\d")) {
            throw new IllegalArgumentException("HTP architecture must look like v79, was " + htpArch);
        }
        String version = htpArch.substring(1);
        Path bin = root.resolve("bin/aarch64-android");
        Path lib = root.resolve("lib/aarch64-android");
        Path hexagon = root.resolve("lib/hexagon-" + htpArch + "/unsigned");
        List<Path> files = new ArrayList<>(List.of(
                bin.resolve(QNN_NET_RUN),
                bin.resolve(GENIE_T2T_RUN),
                lib.resolve("libGenie.so"),
                lib.resolve(HTP_BACKEND),
                lib.resolve("libQnnHtpV" + version + "Stub.so"),
                lib.resolve(SYSTEM_LIBRARY),
                hexagon.resolve("libQnnHtpV" + version + "Skel.so")));
        List<String> missing = new ArrayList<>();
        for (Path file : files) {
            if (!Files.isRegularFile(file)) {
                missing.add(root.relativize(file).toString());
            }
        }
        List<Path> optional = matching(lib, "{libQnnHtpPrepare.so,libc++_shared.so}");
        files.addAll(optional);
        if (decoder == DecoderBackend.CPU) {
            List<Path> cpuDecoder = matching(lib, "libQnnGenAiTransformer*.so");
            if (cpuDecoder.isEmpty()) {
                missing.add("lib/aarch64-android/libQnnGenAiTransformer*.so (needed by the CPU decoder)");
            }
            files.addAll(cpuDecoder);
        }
        if (!missing.isEmpty()) {
            throw new ModelArtifactException("QAIRT SDK at " + root.toAbsolutePath() + " lacks "
                    + String.join(", ", missing));
        }
        return new QairtSdk(root, files);
    }

    private static List<Path> matching(Path dir, String glob) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
            stream.forEach(found::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        found.sort(null);
        return found;
    }

    /**
     * The SDK's root folder.
     *
     * @return the folder given to {@link #open}
     */
    public Path root() {
        return root;
    }

    /**
     * Host files that go, flat, into the device's working directory.
     *
     * @return the files, in a stable order
     */
    public List<Path> deviceFiles() {
        return deviceFiles;
    }
}

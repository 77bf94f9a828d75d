package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.ToolEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Writes an emulated QAIRT SDK folder laid out like the real one. Its programs are POSIX shell
 * scripts that exec a JVM on {@link EmulatedTools} ({@code ${FASTVLM_EMULATOR_JAVA:-<java>}
 * -cp ${FASTVLM_EMULATOR_CLASSPATH:-<class path>}}, defaults baked in when the SDK is written,
 * overridden by the emulator's shell), so every tool run costs one JVM start (about half a
 * second, more on a loaded machine; {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} keep it
 * small, and so does class data sharing where the emulator names an archive in {@link
 * ToolEnvironment#TOOL_CDS}). Its libraries are marked placeholder files, which the emulated tools
 * look for through {@code LD_LIBRARY_PATH} and {@code ADSP_LIBRARY_PATH} as the real loaders would.
 */
public final class EmulatedSdk {
    /** Device programs, under {@code bin/aarch64-android/}. */
    public static final List<String> DEVICE_PROGRAMS = List.of(QnnNetRun.NAME, GenieT2tRun.NAME);
    /** Host program that describes a context binary, under {@code bin/x86_64-linux-clang/}. */
    public static final String HOST_PROGRAM = ContextBinaryUtility.NAME;
    /** Every host program, under {@code bin/x86_64-linux-clang/}: the tool chain from an ONNX export to a context binary. */
    public static final List<String> HOST_PROGRAMS = List.of(ContextBinaryUtility.NAME, OnnxConverter.NAME,
            ModelLibGenerator.NAME, ContextBinaryGenerator.NAME, GenAiComposer.NAME);
    /** Host libraries, under {@code lib/x86_64-linux-clang/}, that the context-binary generator is given. */
    public static final List<String> HOST_LIBRARIES = List.of("libQnnHtp.so", "libQnnHtpNetRunExtensions.so");
    /** What the emulated SDK's {@code sdk.yaml} gives as its version (the QAIRT release it stands in for). */
    public static final String VERSION = "2.42.0.251225-fastvlm-emulated";
    /** HTP architectures whose stub and skel libraries the emulated SDK holds. */
    public static final List<String> HTP_ARCHS = List.of("73", "75", "79");
    /** Device libraries, under {@code lib/aarch64-android/} (plus {@code libQnnHtpV<arch>Stub.so}). */
    public static final List<String> DEVICE_LIBRARIES = List.of("libGenie.so", "libQnnHtp.so", "libQnnSystem.so",
            "libQnnHtpPrepare.so", "libQnnGenAiTransformer.so", "libQnnGenAiTransformerModel.so",
            "libQnnGenAiTransformerCpuOpPkg.so", "libc++_shared.so");

    private EmulatedSdk() {
    }

    /**
     * Writes the SDK with programs that run on this JVM's {@code java} and class path.
     *
     * @param root the SDK folder to write; created when missing
     * @return {@code root}
     * @throws IOException when a file cannot be written
     */
    public static Path write(Path root) throws IOException {
        return write(root, ProcessHandle.current().info().command().orElse("java"),
                ToolEnvironment.currentClasspath());
    }

    /**
     * Writes the SDK with programs that run on the given {@code java} and class path.
     *
     * @param javaCommand the {@code java} the programs run with unless the emulator says otherwise
     * @param classpath   a class path holding this module and its dependencies
     * @param root the SDK folder to write; created when missing
     * @return {@code root}
     * @throws IOException when a file cannot be written
     */
    public static Path write(Path root, String javaCommand, String classpath) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin/aarch64-android"));
        Path hostBin = Files.createDirectories(root.resolve("bin/x86_64-linux-clang"));
        Path lib = Files.createDirectories(root.resolve("lib/aarch64-android"));
        for (String program : DEVICE_PROGRAMS) {
            writeFile(bin.resolve(program), script(program, javaCommand, classpath), true);
        }
        for (String program : HOST_PROGRAMS) {
            writeFile(hostBin.resolve(program), script(program, javaCommand, classpath), true);
        }
        Path hostLib = Files.createDirectories(root.resolve("lib/x86_64-linux-clang"));
        for (String library : HOST_LIBRARIES) {
            writeFile(hostLib.resolve(library), hostPlaceholder(library), false);
        }
        writeFile(root.resolve("sdk.yaml"), "# fastvlm emulated QAIRT SDK\nname: qairt-fastvlm-emulated\nversion: "
                + VERSION + "\n", false);
        for (String library : DEVICE_LIBRARIES) {
            writeFile(lib.resolve(library), placeholder(library), false);
        }
        for (String arch : HTP_ARCHS) {
            writeFile(lib.resolve("libQnnHtpV" + arch + "Stub.so"), placeholder("libQnnHtpV" + arch + "Stub.so"),
                    false);
            Path skel = Files.createDirectories(root.resolve("lib/hexagon-v" + arch + "/unsigned"));
            writeFile(skel.resolve("libQnnHtpV" + arch + "Skel.so"), placeholder("libQnnHtpV" + arch + "Skel.so"),
                    false);
        }
        writeFile(root.resolve("EMULATED-SDK.txt"), "This folder is an emulated QAIRT SDK written by the fastvlm device"
                + " emulator.\nIts programs run the emulator's Java implementations; its libraries are placeholders."
                + "\nNothing here is Qualcomm software.\n", false);
        return root;
    }

    static String placeholder(String library) {
        return "FASTVLM EMULATED PLACEHOLDER for " + library + ": not a Qualcomm library, only found by the fastvlm"
                + " emulator's tools\n";
    }

    /** A host library's placeholder: not the device library of the same name, which a host tool must not take. */
    static String hostPlaceholder(String library) {
        return "FASTVLM EMULATED PLACEHOLDER for " + library + " (x86_64-linux-clang host library): not a Qualcomm"
                + " library, only found by the fastvlm emulator's host tools\n";
    }

    private static String script(String tool, String javaCommand, String classpath) {
        String archive = "\"$" + ToolEnvironment.TOOL_CDS + "-" + tool + ".jsa\"";
        return "#!/bin/sh\n"
                + "# " + tool + " of the fastvlm emulated QAIRT SDK (not a Qualcomm program)\n"
                // Class data sharing where the emulator asks for it: the first run records the classes it
                // loads, later runs map them. A folder that cannot be made means no recording: the JVM
                // would end the program with an error if it could not write the archive.
                + "cds=\n"
                + "if [ -n \"${" + ToolEnvironment.TOOL_CDS + ":-}\" ]; then\n"
                + "  if [ -f " + archive + " ]; then\n"
                + "    cds=-XX:SharedArchiveFile=" + archive + "\n"
                + "  elif mkdir -p \"${" + ToolEnvironment.TOOL_CDS + "%/*}\" 2>/dev/null; then\n"
                + "    cds=-XX:ArchiveClassesAtExit=" + archive + "\n"
                + "  fi\n"
                + "fi\n"
                + "exec \"${FASTVLM_EMULATOR_JAVA:-" + shellEscape(javaCommand) + "}\" -XX:TieredStopAtLevel=1"
                // a device has no /tmp: the JVM's temporary files (JNA's) go where the device's TMPDIR says
                + " -XX:+UseSerialGC -Xshare:auto ${cds:+\"$cds\"} -Xlog:cds=off -Xlog:cds+dynamic=off"
                + " -Djava.io.tmpdir=\"${TMPDIR:-/tmp}\""
                + " -cp \"${FASTVLM_EMULATOR_CLASSPATH:-" + shellEscape(classpath)
                + "}\" " + EmulatedTools.class.getName() + " " + tool + " \"$@\"\n";
    }

    private static String shellEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }

    /**
     * Writes {@code target} through a temporary sibling with the user's umask (not
     * {@link Files#createTempFile}'s owner-only mode); an {@code executable} file also gets the
     * execute bit of every class that may read it, as {@code chmod +x} does under a umask.
     */
    private static void writeFile(Path target, String content, boolean executable) throws IOException {
        Path temp = target.resolveSibling(".sdk-" + UUID.randomUUID() + ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        if (executable) {
            Set<PosixFilePermission> mode = EnumSet.copyOf(Files.getPosixFilePermissions(temp));
            Map.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE).forEach((read, execute) -> {
                        if (mode.contains(read)) {
                            mode.add(execute);
                        }
                    });
            Files.setPosixFilePermissions(temp, mode);
        }
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

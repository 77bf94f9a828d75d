package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.ToolEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Writes an emulated QAIRT SDK folder laid out like the real one. Its programs are POSIX shell
 * scripts that exec a JVM on {@link EmulatedTools} ({@code ${FASTVLM_EMULATOR_JAVA:-<java>}
 * -cp ${FASTVLM_EMULATOR_CLASSPATH:-<class path>}}, defaults baked in when the SDK is written,
 * overridden by the emulator's shell), so every tool run costs one JVM start (about half a
 * second, more on a loaded machine; {@code -XX:TieredStopAtLevel=1 -XX:+UseSerialGC} keep it
 * small). Its libraries are marked placeholder files, which the emulated tools look for through
 * {@code LD_LIBRARY_PATH} and {@code ADSP_LIBRARY_PATH} as the real loaders would.
 */
public final class EmulatedSdk {
    /** Device programs, under {@code bin/aarch64-android/}. */
    public static final List<String> DEVICE_PROGRAMS = List.of(QnnNetRun.NAME, GenieT2tRun.NAME);
    /** Host program, under {@code bin/x86_64-linux-clang/}. */
    public static final String HOST_PROGRAM = ContextBinaryUtility.NAME;
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
            writeFile(bin.resolve(program), script(program, javaCommand, classpath), "rwxr-xr-x");
        }
        writeFile(hostBin.resolve(HOST_PROGRAM), script(HOST_PROGRAM, javaCommand, classpath), "rwxr-xr-x");
        for (String library : DEVICE_LIBRARIES) {
            writeFile(lib.resolve(library), placeholder(library), "rw-r--r--");
        }
        for (String arch : HTP_ARCHS) {
            writeFile(lib.resolve("libQnnHtpV" + arch + "Stub.so"), placeholder("libQnnHtpV" + arch + "Stub.so"),
                    "rw-r--r--");
            Path skel = Files.createDirectories(root.resolve("lib/hexagon-v" + arch + "/unsigned"));
            writeFile(skel.resolve("libQnnHtpV" + arch + "Skel.so"), placeholder("libQnnHtpV" + arch + "Skel.so"),
                    "rw-r--r--");
        }
        writeFile(root.resolve("EMULATED-SDK.txt"), "This folder is an emulated QAIRT SDK written by the fastvlm device"
                + " emulator.\nIts programs run the emulator's Java implementations; its libraries are placeholders."
                + "\nNothing here is Qualcomm software.\n", "rw-r--r--");
        return root;
    }

    static String placeholder(String library) {
        return "FASTVLM EMULATED PLACEHOLDER for " + library + ": not a Qualcomm library, only found by the fastvlm"
                + " emulator's tools\n";
    }

    private static String script(String tool, String javaCommand, String classpath) {
        return "#!/bin/sh\n"
                + "# " + tool + " of the fastvlm emulated QAIRT SDK (not a Qualcomm program)\n"
                + "exec \"${FASTVLM_EMULATOR_JAVA:-" + shellEscape(javaCommand) + "}\" -XX:TieredStopAtLevel=1"
                + " -XX:+UseSerialGC -Xshare:auto -cp \"${FASTVLM_EMULATOR_CLASSPATH:-" + shellEscape(classpath)
                + "}\" " + EmulatedTools.class.getName() + " " + tool + " \"$@\"\n";
    }

    private static String shellEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$").replace("`", "\\`");
    }

    private static void writeFile(Path target, String content, String permissions) throws IOException {
        Path temp = Files.createTempFile(target.getParent(), ".sdk-", ".tmp");
        Files.writeString(temp, content, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString(permissions));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}

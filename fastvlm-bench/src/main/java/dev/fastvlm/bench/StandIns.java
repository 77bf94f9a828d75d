package dev.fastvlm.bench;

import dev.fastvlm.emulator.tools.EmulatedSdk;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What the benchmarks that run on this host as the device set up: an emulated SDK whose tools run
 * on this JVM's class path, the stand-in libGenie.so, libQnnHtp.so and libQnnSystem.so of
 * fastvlm-core's test sources (compiled here with {@code gcc}), and a {@code getprop} that answers
 * as a Snapdragon 8 Elite.
 */
final class StandIns {

    /** Where the stand-ins' C sources are; the default holds when run from the repository root. */
    static final String SOURCES = System.getProperty("fastvlm.standInSources", "fastvlm-core/src/test/c");

    private StandIns() {
    }

    /**
     * Writes an emulated SDK into {@code dir}. Its tools run in the device directory, so a class path
     * relative to here ({@code java -jar fastvlm-bench/...}) is made absolute for them.
     */
    static Path emulatedSdk(Path dir) throws IOException {
        String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toAbsolutePath().toString())
                .collect(Collectors.joining(File.pathSeparator));
        return EmulatedSdk.write(dir, ProcessHandle.current().info().command().orElse("java"), classpath);
    }

    /**
     * Writes {@code work/bin/getprop}, which names the chip as SM8750, for a host device's {@code PATH}.
     *
     * @return the {@code bin} folder
     */
    static Path getpropFolder(Path work) throws IOException {
        Path bin = Files.createDirectories(work.resolve("bin"));
        Path getprop = bin.resolve("getprop");
        Files.writeString(getprop, "#!/bin/sh\n[ \"$1\" = ro.soc.model ] && echo SM8750 || echo\n");
        Files.setPosixFilePermissions(getprop, PosixFilePermissions.fromString("rwxr-xr-x"));
        return bin;
    }

    /** Compiles the stand-in Genie (library and {@code genie-t2t-run}) in {@code build} and puts both in {@code sdk}. */
    static void installGenie(Path sdk, Path build) throws IOException, InterruptedException {
        Path sources = Path.of(SOURCES).toAbsolutePath();
        Path library = build.resolve("libGenie.so");
        Path tool = build.resolve("genie-t2t-run");
        gcc(List.of("-shared", "-fPIC", "-o", library.toString(), sources.resolve("genie_standin.c").toString(),
                "-lm"));
        gcc(List.of("-o", tool.toString(), sources.resolve("genie_t2t_run_standin.c").toString(), "-L" + build,
                "-lGenie"));
        Files.copy(library, sdk.resolve("lib/aarch64-android/libGenie.so"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(tool, sdk.resolve("bin/aarch64-android/genie-t2t-run"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
    }

    /** Compiles the three stand-in libraries of the in-process engines in {@code build} and puts them in {@code sdk}. */
    static void installLibraries(Path sdk, Path build) throws IOException, InterruptedException {
        Path sources = Path.of(SOURCES).toAbsolutePath();
        gcc(List.of("-shared", "-fPIC", "-o", build.resolve("libGenie.so").toString(),
                sources.resolve("genie_standin.c").toString(), "-lm"));
        gcc(List.of("-shared", "-fPIC", "-ffp-contract=off", "-o", build.resolve("libQnnHtp.so").toString(),
                sources.resolve("qnn_htp_standin.c").toString(), "-lm", "-lpthread"));
        gcc(List.of("-shared", "-fPIC", "-o", build.resolve("libQnnSystem.so").toString(),
                sources.resolve("qnn_system_standin.c").toString()));
        for (String lib : List.of("libGenie.so", "libQnnHtp.so", "libQnnSystem.so")) {
            Files.copy(build.resolve(lib), sdk.resolve("lib/aarch64-android/" + lib), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void gcc(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(System.getenv().getOrDefault("CC", "gcc"), "-O2"));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException("compiling a stand-in failed (run from the repository root or set "
                    + "-Dfastvlm.standInSources): " + command + "\n" + log);
        }
    }
}

package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.Confinement;
import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.TestAdbClient;
import dev.fastvlm.emulator.TestAdbKey;
import dev.fastvlm.emulator.ToolEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Class data sharing of the device programs' JVMs: inside namespaces the first run of a program
 * records its archive in the device's cache folder and later runs print and exit exactly as
 * without it; the restricted shell (tools on the host) and the default options record nothing.
 */
class ToolClassSharingTest {
    static final String DIR = "/data/local/tmp/cds";
    static final String RUN = "cd " + DIR + " && LD_LIBRARY_PATH=" + DIR + " ADSP_LIBRARY_PATH=" + DIR
            + " ./qnn-net-run --backend libQnnHtp.so --retrieve_context missing.bin --input_list missing.txt";

    @TempDir
    Path host;

    private static List<Path> archives(DeviceEmulator device) throws Exception {
        Path cache = device.sandbox().resolve(ToolEnvironment.CACHE_DIR.substring(1));
        if (!Files.isDirectory(cache)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(cache)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".jsa")).toList();
        }
    }

    /** The class path with each folder replaced by a jar of its files. */
    private String jarsOnly(String classpath) throws Exception {
        List<String> entries = new ArrayList<>();
        for (String entry : classpath.split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!Files.isDirectory(path)) {
                entries.add(entry);
                continue;
            }
            Path jar = host.resolve("classes-" + entries.size() + ".jar");
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
                 Stream<Path> files = Files.walk(path)) {
                for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    out.putNextEntry(new JarEntry(path.relativize(file).toString().replace(File.separatorChar, '/')));
                    Files.copy(file, out);
                    out.closeEntry();
                }
            }
            entries.add(jar.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private TestAdbClient.ShellResult[] runTwice(DeviceEmulator device) throws Exception {
        Path sdk = EmulatedSdk.write(host.resolve("sdk-" + device.port()));
        try (TestAdbClient adb = TestAdbClient.connect(device)) {
            adb.push(sdk.resolve("bin/aarch64-android/qnn-net-run"), DIR + "/qnn-net-run", 0755);
            for (String lib : new String[] {"libQnnHtp.so", "libQnnSystem.so", "libQnnHtpV79Stub.so"}) {
                adb.push(sdk.resolve("lib/aarch64-android/" + lib), DIR + "/" + lib, 0644);
            }
            adb.push(sdk.resolve("lib/hexagon-v79/unsigned/libQnnHtpV79Skel.so"), DIR + "/libQnnHtpV79Skel.so", 0644);
            return new TestAdbClient.ShellResult[] {adb.shell(RUN), adb.shell(RUN), adb.shell(RUN)};
        }
    }

    @Test
    void namespacedProgramsRecordOnceThenMapTheSameBehaviour() throws Exception {
        try (DeviceEmulator plain = DeviceEmulator.start(TestAdbKey.options().build())) {
            assumeTrue(plain.confinement() == Confinement.NAMESPACES, "no namespaces here");
        }
        TestAdbClient.ShellResult[] without;
        try (DeviceEmulator plain = DeviceEmulator.start(TestAdbKey.options().build())) {
            without = runTwice(plain);
            assertThat(archives(plain)).isEmpty();
        }
        // The JVM records no archive for a class path with folders in it (a test run's target/classes):
        // the tools get the same classes as jars.
        try (DeviceEmulator sharing = DeviceEmulator.start(TestAdbKey.options().toolClassSharing(true)
                .toolClasspath(jarsOnly(ToolEnvironment.currentClasspath())).build())) {
            TestAdbClient.ShellResult[] with = runTwice(sharing);
            List<Path> archives = archives(sharing);
            assertThat(archives).hasSize(1);
            assertThat(archives.get(0).getFileName().toString()).startsWith("cds-").endsWith("-qnn-net-run.jsa");
            // the program's own failure (a missing context binary), byte for byte as without sharing
            for (TestAdbClient.ShellResult r : with) {
                assertThat(r.exitCode()).isEqualTo(without[0].exitCode()).isNotZero();
                assertThat(r.stdout()).isEqualTo(without[0].stdout());
                assertThat(r.stderr()).isEqualTo(without[0].stderr()).isNotBlank();
            }
        }
    }

    @Test
    void theRestrictedShellRecordsNothing() throws Exception {
        try (DeviceEmulator restricted = DeviceEmulator.start(TestAdbKey.options().toolClassSharing(true)
                .confinement(Confinement.RESTRICTED).build())) {
            TestAdbClient.ShellResult[] runs = runTwice(restricted);
            assertThat(runs[1].stderr()).isEqualTo(runs[0].stderr()).isNotBlank();
            assertThat(archives(restricted)).isEmpty();
        }
    }
}

package dev.fastvlm.e2e;

import com.sun.jna.Library;
import com.sun.jna.Native;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Puts the stand-in libQnnHtp.so and libQnnSystem.so of fastvlm-core's test sources
 * ({@code src/test/c}) into an emulated SDK, compiled with the system C compiler ({@code $CC},
 * else {@code gcc}): the in-process vision engine then runs the emulated encoder that the emulated
 * qnn-net-run runs, and counts what it creates and frees.
 */
final class StandInQnn {

    /** The HTP stand-in's counters. */
    interface HtpCounters extends Library {
        int QnnHtpStandIn_liveHandles();

        int QnnHtpStandIn_contextsCreated();

        int QnnHtpStandIn_executions();

        void QnnHtpStandIn_setDelays(int loadMillis, int inferenceMillis);
    }

    /** The system stand-in's counter. */
    interface SystemCounters extends Library {
        int QnnSystemStandIn_liveHandles();
    }

    /** The Genie stand-in's counters. */
    interface GenieCounters extends Library {
        int GenieStandIn_liveHandles();

        int GenieStandIn_dialogsCreated();
    }

    private StandInQnn() {
    }

    /** Replaces the SDK's libQnnHtp.so and libQnnSystem.so placeholders with the stand-ins. */
    static void install(Path sdk, Path buildDir) {
        Path htp = buildDir.resolve("libQnnHtp.so");
        Path system = buildDir.resolve("libQnnSystem.so");
        compile(List.of("-shared", "-fPIC", "-ffp-contract=off", "-o", htp.toString(),
                StandInGenie.SOURCES.resolve("qnn_htp_standin.c").toAbsolutePath().toString(), "-lm", "-lpthread"));
        compile(List.of("-shared", "-fPIC", "-o", system.toString(),
                StandInGenie.SOURCES.resolve("qnn_system_standin.c").toAbsolutePath().toString()));
        try {
            Files.copy(htp, sdk.resolve("lib/aarch64-android/libQnnHtp.so"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(system, sdk.resolve("lib/aarch64-android/libQnnSystem.so"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new AssertionError("cannot install the stand-in QNN libraries into " + sdk + ": " + e.getMessage(), e);
        }
    }

    /** The counters of the libraries a FastVlm loaded from {@code deviceDir}. */
    static HtpCounters htp(Path deviceDir) {
        return Native.load(deviceDir.resolve("libQnnHtp.so").toAbsolutePath().toString(), HtpCounters.class);
    }

    static SystemCounters system(Path deviceDir) {
        return Native.load(deviceDir.resolve("libQnnSystem.so").toAbsolutePath().toString(), SystemCounters.class);
    }

    static GenieCounters genie(Path deviceDir) {
        return Native.load(deviceDir.resolve("libGenie.so").toAbsolutePath().toString(), GenieCounters.class);
    }

    private static void compile(List<String> arguments) {
        StandInGenie.compile("the stand-in QNN libraries", arguments);
    }
}

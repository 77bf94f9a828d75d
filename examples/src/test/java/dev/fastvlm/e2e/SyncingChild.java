package dev.fastvlm.e2e;

import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;

import java.nio.file.Path;

/**
 * A separate JVM that syncs a bundle to an emulated device and describes an image, for a test to
 * kill in the middle of its sync. Arguments: device port, adb key, bundle, SDK, image.
 */
final class SyncingChild {
    private SyncingChild() {
    }

    public static void main(String[] args) {
        try (FastVlm vlm = FastVlm.builder()
                .device(AdbTransport.direct("127.0.0.1", Integer.parseInt(args[0]), Path.of(args[1])))
                .models(Path.of(args[2])).runtime(QairtRuntime.of(Path.of(args[3]))).build()) {
            System.out.println(vlm.describe(Path.of(args[4]), "Sync.").text());
        }
    }
}

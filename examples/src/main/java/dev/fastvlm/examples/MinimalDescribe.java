package dev.fastvlm.examples;

import dev.fastvlm.FastVlm;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;

import java.nio.file.Path;

/** The smallest complete program: {@code MinimalDescribe IMAGE MODEL_DIR QAIRT_SDK_DIR}, one phone attached. */
public final class MinimalDescribe {
    public static void main(String[] args) {
        try (FastVlm vlm = FastVlm.builder()
                .device(AdbTransport.connect())
                .models(Path.of(args[1]))
                .runtime(QairtRuntime.of(Path.of(args[2])))
                .build()) {
            System.out.println(vlm.describe(Path.of(args[0]), "Describe the image.").text());
        }
    }
}

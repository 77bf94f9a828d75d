package dev.fastvlm.examples;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.GenerationOptions;
import dev.fastvlm.ImageLayout;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.StageTiming;
import dev.fastvlm.adb.AdbTransport;

import java.nio.file.Path;

/**
 * Prints the answer as the phone generates it, then where the time went:
 * {@code StreamingDescribe SERIAL IMAGE MODEL_DIR QAIRT_SDK_DIR "PROMPT"}.
 */
public final class StreamingDescribe {
    public static void main(String[] args) {
        try (FastVlm vlm = FastVlm.builder()
                .device(AdbTransport.connect(args[0]))
                .models(Path.of(args[2]))
                .runtime(QairtRuntime.of(Path.of(args[3])))
                .imageLayout(ImageLayout.PLACEHOLDER)
                .generation(GenerationOptions.builder().maxNewTokens(96).greedy(true).build())
                .build()) {
            Description d = vlm.describe(Path.of(args[1]), args[4], piece -> {
                System.out.print(piece);
                System.out.flush();
            });
            System.out.printf("%n%n%d tokens at %.1f tokens/s, first after %d ms%n", d.stats().generatedTokens(),
                    d.stats().tokensPerSecond(), d.stats().timeToFirstToken().toMillis());
            for (StageTiming stage : d.stats().stages()) {
                System.out.printf("  %-16s %6d ms%n", stage.stage().id(), stage.elapsed().toMillis());
            }
        }
    }
}

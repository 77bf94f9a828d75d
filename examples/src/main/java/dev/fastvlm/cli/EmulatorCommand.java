package dev.fastvlm.cli;

import dev.fastvlm.emulator.DeviceEmulator;
import dev.fastvlm.emulator.EmulatedSoc;
import dev.fastvlm.emulator.EmulatedTiming;
import dev.fastvlm.emulator.EmulatorOptions;
import dev.fastvlm.emulator.model.EmulatedBundle;
import dev.fastvlm.emulator.tools.EmulatedSdk;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code fastvlm emulator}: runs an emulated Snapdragon device in the foreground until
 * interrupted, or writes an emulated model bundle or QAIRT SDK.
 */
@Command(name = "emulator",
        description = "Run an emulated Snapdragon device (adbd on 127.0.0.1) until interrupted; "
                + "see also `emulator bundle` and `emulator sdk`.",
        mixinStandardHelpOptions = true,
        subcommands = {EmulatorCommand.Bundle.class, EmulatorCommand.Sdk.class})
final class EmulatorCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--port", description = "TCP port on 127.0.0.1 (default: 5555; 0 picks a free one).")
    int port = 5555;

    @Option(names = "--soc", description = "Emulated chip: SM8550, SM8650 or SM8750 (default).")
    String soc = "SM8750";

    @Option(names = "--sandbox", description = "Host folder for the device's files (default: a temporary folder).")
    Path sandbox;

    @Option(names = "--realistic-timing", description = "Make the emulated tools take Snapdragon 8 Elite-like time.")
    boolean realisticTiming;

    @Option(names = "--authorized-keys", paramLabel = "FILE",
            description = "Also let in the adb keys in FILE (adbkey.pub format, one key a line); repeatable. "
                    + "By default only your own ~/.android/adbkey.pub (or $ANDROID_USER_HOME/adbkey.pub) is let in.")
    List<Path> authorizedKeys = new ArrayList<>();

    @Option(names = "--insecure",
            description = "Let in anyone who reaches the port, without ADB authentication (for tests only).")
    boolean insecure;

    @Override
    public Integer call() throws InterruptedException {
        EmulatorOptions.Builder options = EmulatorOptions.builder().port(port)
                .soc(EmulatedSoc.fromModel(soc.toUpperCase(Locale.ROOT)))
                .timing(realisticTiming ? EmulatedTiming.REALISTIC : EmulatedTiming.INSTANT);
        if (sandbox != null) {
            options.sandbox(sandbox);
        }
        for (Path keys : authorizedKeys) {
            if (!Files.isRegularFile(keys)) {
                throw new ParameterException(spec.commandLine(), "--authorized-keys " + keys + ": no such file");
            }
            options.authorizedKeys(keys);
        }
        options.insecure(insecure);
        try (DeviceEmulator device = DeviceEmulator.start(options.build())) {
            spec.commandLine().getOut().println(device.serial());
            spec.commandLine().getOut().flush();
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** {@code fastvlm emulator bundle --out DIR [--width 896] [--vision int8|fp16]}. */
    @Command(name = "bundle", mixinStandardHelpOptions = true,
            description = "Write an emulated FastVLM model bundle (every file labelled as emulated).")
    static final class Bundle implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "Folder to write the bundle into.")
        Path out;

        @Option(names = "--width", description = "Embedding width (default 896 as in FastVLM; >= 8).")
        int width = EmulatedBundle.FASTVLM_WIDTH;

        @Option(names = "--vision", description = "Vision encoder precision: int8 (default) or fp16.")
        String vision = "int8";

        @Override
        public Integer call() throws IOException {
            EmulatedBundle.VisionPrecision precision = switch (vision.toLowerCase(Locale.ROOT)) {
                case "int8" -> EmulatedBundle.VisionPrecision.INT8;
                case "fp16" -> EmulatedBundle.VisionPrecision.FP16;
                default -> throw new IllegalArgumentException("--vision must be int8 or fp16, was " + vision);
            };
            EmulatedBundle.write(out, width, precision);
            spec.commandLine().getOut().println("wrote an emulated FastVLM bundle (width " + width + ", " + vision
                    + " vision encoder) to " + out);
            return 0;
        }
    }

    /** {@code fastvlm emulator sdk --out DIR}. */
    @Command(name = "sdk", mixinStandardHelpOptions = true,
            description = "Write an emulated QAIRT SDK folder whose programs run the emulator's tools.")
    static final class Sdk implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, description = "Folder to write the SDK into.")
        Path out;

        @Override
        public Integer call() throws IOException {
            EmulatedSdk.write(out);
            spec.commandLine().getOut().println("wrote an emulated QAIRT SDK to " + out);
            return 0;
        }
    }
}

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

    @Option(names = "--port", paramLabel = "PORT", description = "TCP port on 127.0.0.1 (default: 5555; 0 picks a free one).")
    int port = 5555;

    @Option(names = "--soc", paramLabel = "MODEL", description = "Emulated chip: SM8550, SM8650 or SM8750 (default).")
    String soc = "SM8750";

    @Option(names = "--sandbox", paramLabel = "DIR", description = "Host folder for the device's files (default: a temporary folder).")
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
                .timing(realisticTiming ? EmulatedTiming.REALISTIC : EmulatedTiming.INSTANT)
                // a long-lived device: its programs' first runs record class data that all later runs map
                .toolClassSharing(true);
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
            String soc = device.soc().name() + " (" + device.soc().marketingName() + ")";
            spec.commandLine().getOut().println(attachHelp(device.serial(), soc, device.sandbox()));
            spec.commandLine().getOut().flush();
            Thread.currentThread().join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** What the running emulator prints: its serial alone on the first line, then how to use it. */
    static String attachHelp(String serial, String soc, Path sandbox) {
        String n = System.lineSeparator();
        return serial + n
                + "An emulated " + soc + " phone is listening on " + serial + " (its files are in "
                + sandbox.toAbsolutePath() + ")." + n
                + "Attach your adb server to it:" + n
                + "  adb connect " + serial + n
                + "To describe an image on it, write an emulated model bundle and SDK once, then pass them:" + n
                + "  fastvlm emulator bundle --out fastvlm-bundle --width " + DescribeCommand.EMULATED_WIDTH + n
                + "  fastvlm emulator sdk --out fastvlm-sdk" + n
                + "  fastvlm describe --device " + serial + " --model-dir fastvlm-bundle --sdk fastvlm-sdk"
                + " --image IMAGE --prompt TEXT" + n
                + "Stop it with Ctrl-C.";
    }

    /** {@code fastvlm emulator bundle --out DIR [--width 896] [--vision int8|fp16]}. */
    @Command(name = "bundle", mixinStandardHelpOptions = true,
            description = "Write an emulated FastVLM model bundle (every file labelled as emulated).")
    static final class Bundle implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the bundle into.")
        Path out;

        @Option(names = "--width", paramLabel = "N", description = "Embedding width, 8 or more (default: 896, FastVLM's,"
                + " which makes a 545 MB LUT.bin; 112 is plenty for trying things out).")
        int width = EmulatedBundle.FASTVLM_WIDTH;

        @Option(names = "--vision", paramLabel = "int8|fp16", description = "Vision encoder precision: int8 (default) or fp16.")
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
                    + " vision encoder) to " + out.toAbsolutePath() + "; pass it as --model-dir " + out.toAbsolutePath());
            return 0;
        }
    }

    /** {@code fastvlm emulator sdk --out DIR}. */
    @Command(name = "sdk", mixinStandardHelpOptions = true,
            description = "Write an emulated QAIRT SDK folder whose programs run the emulator's tools.")
    static final class Sdk implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Folder to write the SDK into.")
        Path out;

        @Override
        public Integer call() throws IOException {
            EmulatedSdk.write(out);
            spec.commandLine().getOut().println("wrote an emulated QAIRT SDK to " + out.toAbsolutePath() + "; pass it as --sdk "
                    + out.toAbsolutePath());
            return 0;
        }
    }
}

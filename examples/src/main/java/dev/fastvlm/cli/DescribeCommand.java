package dev.fastvlm.cli;

import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * {@code fastvlm describe}: the main job. Streams the answer, then the figures. With no device and
 * no model folder it runs on the built-in emulator with an emulated bundle, and says so first.
 */
@Command(name = "describe", mixinStandardHelpOptions = true,
        description = "Describe an image with FastVLM on a phone's NPU (or on the built-in emulator).")
final class DescribeCommand extends SessionCommand {

    @Option(names = "--image", required = true, paramLabel = "FILE",
            description = "The image file (JPEG, PNG, BMP, GIF, TIFF or WebP).")
    Path image;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "What to ask about the image.")
    String prompt;

    @Override
    int use(FastVlm vlm, BooleanSupplier emulated, PrintWriter out) {
        Description d = vlm.describe(image, prompt, streamTo(out));
        if (json) {
            out.println(toJson(d, emulated.getAsBoolean()));
        } else {
            out.println();
            out.println(figures(d.stats()));
        }
        out.flush();
        return 0;
    }
}

package dev.fastvlm.cli;

import dev.fastvlm.ImageInput;
import dev.fastvlm.ResizePolicy;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.OutputLayout;
import dev.fastvlm.core.image.PreprocessedImage;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code fastvlm preprocess}: step 2 of the flow on its own, writing the same vision-encoder
 * input file as the reference Python (PIL bicubic, uint8 HWC or float32 NCHW / 255).
 */
@Command(name = "preprocess",
        mixinStandardHelpOptions = true,
        description = "Write the vision encoder's input file for an image, byte for byte as the reference PIL code.")
final class PreprocessCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--image", required = true, paramLabel = "IMG", description = "JPEG, PNG, BMP, GIF, TIFF or WebP file.")
    Path image;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Tensor file to write (replaced atomically).")
    Path out;

    @Option(names = "--size", defaultValue = "" + ImagePreprocessor.DEFAULT_SIZE, paramLabel = "N",
            description = "Output edge in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--dtype", defaultValue = "uint8", paramLabel = "uint8|float32",
            description = "uint8: raw HWC bytes (INT8 encoder); float32: NCHW pixel/255 (FP16 encoder). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--resize", defaultValue = "stretch", paramLabel = "stretch|pad|center-crop",
            converter = OptionValues.Resize.class,
            description = "How a non-square image becomes square. Default: ${DEFAULT-VALUE}.")
    ResizePolicy resize;

    @Option(names = "--exif-orientation", description = "Rotate by the EXIF orientation tag first (the reference does not).")
    boolean exifOrientation;

    @Override
    public Integer call() {
        ImagePreprocessor preprocessor = ImagePreprocessor.builder()
                .size(size)
                .layout(layout(dtype))
                .resizePolicy(resize)
                .applyExifOrientation(exifOrientation)
                .build();
        PreprocessedImage result = preprocessor.preprocess(ImageInput.of(image));
        result.writeTo(out);
        spec.commandLine().getOut().println("wrote " + out + " (" + result.byteSize() + " bytes, "
                + size + "x" + size + " " + dtype + ", " + OptionValues.Resize.wordFor(resize) + ")");
        return 0;
    }

    private OutputLayout layout(String value) {
        return switch (value) {
            case "uint8" -> OutputLayout.UINT8_HWC;
            case "float32" -> OutputLayout.FLOAT32_NCHW;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dtype must be uint8 or float32, was '" + value + "'");
        };
    }
}

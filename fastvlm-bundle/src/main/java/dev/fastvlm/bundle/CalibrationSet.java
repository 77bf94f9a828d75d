package dev.fastvlm.bundle;

import dev.fastvlm.ImageInput;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.OutputLayout;
import dev.fastvlm.core.tensor.RawTensors;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The INT8 vision encoder's calibration data, from the user's own images: each image preprocessed
 * exactly as the SDK preprocesses a request's image ({@link ImagePreprocessor}: PIL's decoding,
 * conversion and bicubic resize), written as the float ONNX model's input (float32 NCHW, pixel /
 * 255), and an input list naming one file per line, as {@code qnn-onnx-converter --input_list}
 * reads it.
 *
 * @param inputList the input list file
 * @param inputs    the calibration inputs, one per image, in the images' name order
 * @param images    the images they came from, in the same order
 */
public record CalibrationSet(Path inputList, List<Path> inputs, List<Path> images) {
    /** The image file extensions read from the folder. */
    public static final Set<String> EXTENSIONS = Set.of("jpg", "jpeg", "png", "bmp", "gif", "tif", "tiff", "webp");
    /** The input list's file name. */
    public static final String INPUT_LIST = "input_list.txt";

    /**
     * Copies the lists.
     *
     * @param inputList the input list file
     * @param inputs    the calibration inputs
     * @param images    the images they came from
     */
    public CalibrationSet {
        inputs = List.copyOf(inputs);
        images = List.copyOf(images);
    }

    /**
     * Preprocesses every image of {@code imageFolder} (by name; at most {@code limit}) into {@code out}.
     *
     * @param imageFolder  a folder of JPEG, PNG, BMP, GIF, TIFF or WebP images
     * @param out          where the inputs and the input list go (created when missing)
     * @param preprocessor the SDK's preprocessing, in the {@link OutputLayout#FLOAT32_NCHW} layout
     * @param limit        most images to use, at least 1
     * @param progress     told after each image
     * @return the set written
     * @throws ModelArtifactException when the folder has no image, or naming an image that cannot be read
     * @throws IllegalArgumentException when the preprocessor's layout is not float32 NCHW or the limit below 1
     */
    static CalibrationSet write(Path imageFolder, Path out, ImagePreprocessor preprocessor, int limit,
                                       Progress progress) {
        if (preprocessor.layout() != OutputLayout.FLOAT32_NCHW) {
            throw new IllegalArgumentException("calibration inputs are the float model's input: float32 NCHW, not "
                    + preprocessor.layout());
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, was " + limit);
        }
        List<Path> images;
        try (Stream<Path> files = Files.list(imageFolder)) {
            images = files.filter(Files::isRegularFile).filter(CalibrationSet::isImage).sorted().limit(limit).toList();
        } catch (IOException e) {
            throw new ModelArtifactException(imageFolder + ": cannot list the calibration images: " + e, e);
        }
        if (images.isEmpty()) {
            throw new ModelArtifactException(imageFolder + ": no calibration images (looked for "
                    + String.join(", ", EXTENSIONS.stream().sorted().toList()) + ")");
        }
        List<Path> inputs = new ArrayList<>();
        StringBuilder list = new StringBuilder();
        for (int i = 0; i < images.size(); i++) {
            Path image = images.get(i);
            Path input = out.resolve(String.format(Locale.ROOT, "calibration_%04d.raw", i)).toAbsolutePath();
            try {
                preprocessor.preprocess(ImageInput.of(image)).writeTo(input);
            } catch (RuntimeException e) {
                throw new ModelArtifactException("calibration image " + image + ": " + e.getMessage(), e);
            }
            inputs.add(input);
            list.append(input).append('\n');
            progress.update("calibration", i + 1, images.size());
        }
        Path inputList = out.resolve(INPUT_LIST).toAbsolutePath();
        RawTensors.writeAtomically(inputList, o -> o.write(list.toString().getBytes(StandardCharsets.UTF_8)));
        return new CalibrationSet(inputList, inputs, images);
    }

    private static boolean isImage(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
    }
}

package dev.fastvlm.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.fastvlm.ImageInput;
import dev.fastvlm.core.image.ImagePreprocessor;
import dev.fastvlm.core.image.decode.ImageDecoder;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * CPU time (all threads of the process) per preprocessing of one image: on a machine shared
 * with other jobs, wall-clock medians swing with the load, CPU time much less. Prints
 * {@code <median ms>}. Used by {@code scripts/compare_image_preprocessing_with_pil.py}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.fastvlm.bench.PreprocessCpuTime IMAGE standard|imageio RUNS}
 */
public final class PreprocessCpuTime {
    private PreprocessCpuTime() {
    }

    public static void main(String[] args) {
        Path image = Path.of(args[0]);
        ImagePreprocessor preprocessor = ImagePreprocessor.builder()
                .decoder(args[1].equals("imageio") ? ImageDecoder.imageIo() : ImageDecoder.standard())
                .build();
        int runs = Integer.parseInt(args[2]);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        ByteBuffer tensor = ByteBuffer.allocate(ImagePreprocessor.DEFAULT_SIZE * ImagePreprocessor.DEFAULT_SIZE * 3);
        for (int i = 0; i < 5; i++) {
            run(preprocessor, image, tensor);
        }
        double[] ms = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = os.getProcessCpuTime();
            run(preprocessor, image, tensor);
            ms[i] = (os.getProcessCpuTime() - start) / 1e6;
        }
        Arrays.sort(ms);
        System.out.printf("%.1f%n", ms[runs / 2]);
    }

    private static void run(ImagePreprocessor preprocessor, Path image, ByteBuffer tensor) {
        tensor.clear();
        preprocessor.preprocess(ImageInput.of(image)).writeTo(tensor);
    }
}

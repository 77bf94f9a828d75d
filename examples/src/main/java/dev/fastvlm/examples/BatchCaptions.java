package dev.fastvlm.examples;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.Description;
import dev.fastvlm.FastVlm;
import dev.fastvlm.FastVlmException;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.QairtRuntime;
import dev.fastvlm.adb.AdbTransport;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Captions every image of a folder, one JSON object per line:
 * {@code BatchCaptions FOLDER MODEL_DIR QAIRT_SDK_DIR > captions.jsonl}. A file that is not a usable
 * image gets an {@code error} line instead of stopping the batch; device failures stop it.
 */
public final class BatchCaptions {
    public static void main(String[] args) throws IOException {
        ObjectMapper json = new ObjectMapper();
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        List<Path> images;
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            images = files.filter(Files::isRegularFile).sorted().toList();
        }
        try (FastVlm vlm = FastVlm.builder()
                .device(AdbTransport.connect())
                .models(Path.of(args[1]))
                .runtime(QairtRuntime.of(Path.of(args[2])))
                .build()) {
            for (Path image : images) {
                Map<String, Object> line = new LinkedHashMap<>();
                line.put("image", image.getFileName().toString());
                try {
                    Description d = vlm.describe(image, "Write a one-sentence caption for this image.");
                    line.put("caption", d.text().strip());
                    line.put("tokensPerSecond", d.stats().tokensPerSecond());
                } catch (InvalidInputException e) {
                    line.put("error", e.getMessage());
                } catch (FastVlmException e) {
                    line.put("error", e.getMessage());
                    out.println(json.writeValueAsString(line));
                    throw e;
                }
                out.println(json.writeValueAsString(line));
            }
        }
    }
}

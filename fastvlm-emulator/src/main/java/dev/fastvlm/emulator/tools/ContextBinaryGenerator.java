package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.emulator.model.EmulatedGraph;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Emulated host tool {@code qnn-context-binary-generator --backend .../libQnnHtp.so --model
 * lib<NAME>.so --binary_file NAME --output_dir DIR [--config_file CFG.json]}: checks the backend is
 * the SDK's host HTP library, the model an emulated model library, the config's backend extension
 * library and HTP settings (a device with {@code dsp_arch}), and writes {@code DIR/NAME.bin}.
 */
final class ContextBinaryGenerator {
    static final String NAME = "qnn-context-binary-generator";
    static final String USAGE = "usage: qnn-context-binary-generator (fastvlm emulated) --backend libQnnHtp.so"
            + " --model libMODEL.so --binary_file NAME --output_dir DIR [--config_file FILE]";
    private static final Map<String, Integer> OPTIONS = Map.of("--backend", 1, "--model", 1, "--binary_file", 1,
            "--output_dir", 1, "--config_file", 1, "--dlc_path", 1);

    private final ToolContext ctx;
    private final PrintStream out;

    ContextBinaryGenerator(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    int run(String[] args) throws IOException {
        HostArguments a = new HostArguments(args, OPTIONS);
        if (a.has("--dlc_path")) {
            throw new ToolFailure("ERROR: the emulated SDK builds from a model library (--model), not a DLC");
        }
        placeholder(ctx.path(a.required("--backend")), "libQnnHtp.so", "--backend");
        Path model = ctx.path(a.required("--model"));
        if (!Files.isRegularFile(model)) {
            throw new ToolFailure("ERROR: could not load model " + ctx.shown(model) + ": No such file or directory");
        }
        List<EmulatedGraph> graphs;
        try {
            graphs = EmulatedGraph.readAll(model, EmulatedGraph.Stage.MODEL_LIBRARY);
        } catch (IOException e) {
            throw new ToolFailure("ERROR: could not load model: " + e.getMessage());
        }
        if (a.has("--config_file")) {
            checkConfig(ctx.path(a.value("--config_file")));
        }
        String name = a.required("--binary_file");
        Path target = ctx.path(a.required("--output_dir")).resolve(name.endsWith(".bin") ? name : name + ".bin");
        EmulatedGraph.write(target, graphs);
        out.println("qnn-context-binary-generator (fastvlm emulated): wrote " + ctx.shown(target));
        return 0;
    }

    private void checkConfig(Path config) throws IOException {
        JsonNode root = json(config, "config file");
        JsonNode ext = root.path("backend_extensions");
        placeholder(ctx.path(resolve(config, ext.path("shared_library_path").asText())),
                "libQnnHtpNetRunExtensions.so", "backend_extensions.shared_library_path");
        Path htp = ctx.path(resolve(config, ext.path("config_file_path").asText()));
        JsonNode device = json(htp, "HTP config").path("devices").path(0);
        if (!device.path("dsp_arch").asText().matches("v[0-9]{2}")) {
            throw new ToolFailure("ERROR: " + ctx.shown(htp) + ": devices[0].dsp_arch must name the HTP"
                    + " architecture (e.g. \"v79\"), was " + device.get("dsp_arch"));
        }
    }

    /** A path in a config file, relative to the config's own folder when not absolute. */
    private static String resolve(Path config, String path) {
        return path.isEmpty() || path.startsWith("/") ? path : config.resolveSibling(path).toString();
    }

    private JsonNode json(Path file, String what) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ToolFailure("ERROR: " + what + " " + ctx.shown(file) + " does not exist");
        }
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ToolFailure("ERROR: " + what + " " + ctx.shown(file) + " is not JSON: " + e.getMessage());
        }
    }

    private void placeholder(Path library, String name, String option) throws IOException {
        if (library.toString().isEmpty() || !Files.isRegularFile(library)
                || !library.getFileName().toString().equals(name)
                || !Files.readString(library, StandardCharsets.UTF_8).equals(EmulatedSdk.hostPlaceholder(name))) {
            throw new ToolFailure("ERROR: " + option + " must be the SDK's " + name + " for x86_64-linux-clang, was "
                    + (library.toString().isEmpty() ? "missing" : ctx.shown(library)));
        }
    }
}

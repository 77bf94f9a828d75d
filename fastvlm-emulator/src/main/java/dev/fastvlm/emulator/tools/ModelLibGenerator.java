package dev.fastvlm.emulator.tools;

import dev.fastvlm.emulator.model.EmulatedGraph;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emulated host tool {@code qnn-model-lib-generator -c M.cpp -b M.bin -t TARGETS -l NAME -o DIR}:
 * checks the converter's pair and writes {@code DIR/<target>/lib<NAME>.so} for each target.
 */
final class ModelLibGenerator {
    static final String NAME = "qnn-model-lib-generator";
    static final String USAGE = "usage: qnn-model-lib-generator (fastvlm emulated) -c MODEL.cpp -b MODEL.bin"
            + " -t TARGET [-t TARGET ...] -l LIB_NAME -o OUTPUT_DIR";
    private static final Set<String> TARGETS = Set.of("x86_64-linux-clang", "aarch64-android");
    private static final Map<String, Integer> OPTIONS = Map.of("-c", 1, "-b", 1, "-t", 1, "-l", 1, "-o", 1);

    private final ToolContext ctx;
    private final PrintStream out;

    ModelLibGenerator(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    int run(String[] args) throws IOException {
        HostArguments a = new HostArguments(args, OPTIONS);
        Path cpp = ctx.path(a.required("-c"));
        Path bin = ctx.path(a.required("-b"));
        String lib = a.required("-l");
        if (!lib.matches("[A-Za-z0-9_]+")) {
            throw new ToolFailure("ERROR: -l must be a library name (letters, digits, _), was " + lib);
        }
        List<String> targets = a.all("-t").stream().map(v -> v.get(0)).toList();
        if (targets.isEmpty()) {
            throw new ToolFailure("ERROR: missing required option -t", 1, true);
        }
        for (String t : targets) {
            if (!TARGETS.contains(t)) {
                throw new ToolFailure("ERROR: unknown target " + t + " (the emulated SDK has " + TARGETS + ")");
            }
        }
        List<EmulatedGraph> graphs = read(cpp);
        if (!read(bin).equals(graphs)) {
            throw new ToolFailure("ERROR: " + ctx.shown(bin) + " is not the weights of " + ctx.shown(cpp));
        }
        Path dir = ctx.path(a.required("-o"));
        for (String t : targets) {
            EmulatedGraph.write(dir.resolve(t).resolve("lib" + lib + ".so"), graphs, EmulatedGraph.Stage.MODEL_LIBRARY);
        }
        out.println("qnn-model-lib-generator (fastvlm emulated): wrote lib" + lib + ".so for " + targets);
        return 0;
    }

    private List<EmulatedGraph> read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ToolFailure("ERROR: " + ctx.shown(file) + " does not exist");
        }
        try {
            return EmulatedGraph.readAll(file, EmulatedGraph.Stage.CONVERTED_MODEL);
        } catch (IOException e) {
            throw new ToolFailure("ERROR: " + e.getMessage());
        }
    }
}

package dev.fastvlm.emulator.tools;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.fastvlm.emulator.model.EmulatedGraph;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Emulated host tool {@code qnn-context-binary-utility --context_binary X.bin --json_file out.json}:
 * writes the context info JSON in the real tool's layout, one entry per graph of the context.
 */
final class ContextBinaryUtility {
    static final String NAME = "qnn-context-binary-utility";
    static final String USAGE = "Usage: qnn-context-binary-utility (fastvlm emulated) --context_binary <file> --json_file <file>";

    private final ToolContext ctx;
    private final PrintStream out;

    ContextBinaryUtility(ToolContext ctx, PrintStream out) {
        this.ctx = ctx;
        this.out = out;
    }

    int run(String[] args) throws IOException {
        String binary = null;
        String json = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--context_binary" -> binary = value(args, ++i);
                case "--json_file" -> json = value(args, ++i);
                case "-h", "--help" -> throw new ToolFailure("", 0, true);
                default -> throw ToolFailure.unknownOption(args[i]);
            }
        }
        if (binary == null || json == null) {
            throw new ToolFailure("ERROR: --context_binary and --json_file are required", 1, true);
        }
        Path in = ctx.path(binary);
        if (!Files.isRegularFile(in)) {
            throw new ToolFailure("ERROR: could not open context binary " + binary + ": No such file or directory");
        }
        List<EmulatedGraph> graphs;
        try {
            graphs = EmulatedGraph.readAll(in);
        } catch (IOException e) {
            throw new ToolFailure("ERROR: " + e.getMessage());
        }
        Path target = ctx.path(json);
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temp = Files.createTempFile(dir, ".ctxinfo-", ".tmp");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(temp.toFile(),
                EmulatedGraph.contextInfo(graphs));
        Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        out.println("qnn-context-binary-utility (fastvlm emulated): wrote " + json);
        return 0;
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new ToolFailure("ERROR: option " + args[i - 1] + " needs a value", 1, true);
        }
        return args[i];
    }
}

package dev.fastvlm.cli;

import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code fastvlm inspect-context}: the graphs and tensors of a context binary, as a table. */
@Command(name = "inspect-context", mixinStandardHelpOptions = true,
        description = "Print the graphs and tensors that qnn-context-binary-utility --json_file wrote.")
final class InspectContextCommand implements Callable<Integer> {
    private static final List<String> HEADER = List.of("direction", "name", "data type", "dimensions", "bytes",
            "quantization");

    @Spec
    CommandSpec spec;

    @Option(names = "--json", required = true, paramLabel = "FILE",
            description = "JSON written by qnn-context-binary-utility --json_file.")
    Path json;

    @Override
    public Integer call() {
        ContextBinaryInfo info = ContextBinaryInfo.read(json);
        PrintWriter out = spec.commandLine().getOut();
        for (QnnGraph graph : info.graphs()) {
            out.println("graph " + graph.name());
            List<List<String>> rows = new ArrayList<>();
            rows.add(HEADER);
            graph.inputs().forEach(t -> rows.add(row("input", t)));
            graph.outputs().forEach(t -> rows.add(row("output", t)));
            print(out, rows);
        }
        out.flush();
        return 0;
    }

    private static List<String> row(String direction, TensorSpec t) {
        return List.of(direction, t.name(), t.dataType().qnnName().replace("QNN_DATATYPE_", ""),
                t.dimensions().stream().map(String::valueOf).collect(Collectors.joining("x")),
                String.valueOf(t.byteSize()), t.quantization().map(InspectContextCommand::describe).orElse("-"));
    }

    static String describe(Quantization q) {
        if (q instanceof Quantization.PerTensor p) {
            return String.format(Locale.ROOT, "scale %s offset %d", p.scale(), p.offset());
        }
        Quantization.PerAxis a = (Quantization.PerAxis) q;
        return "per-axis on axis " + a.axis() + " (" + a.channels() + " scales)";
    }

    private static void print(PrintWriter out, List<List<String>> rows) {
        int[] widths = new int[HEADER.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder(" ");
            for (int i = 0; i < row.size(); i++) {
                line.append(' ').append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), widths[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String pad(String s, int width) {
        return s + " ".repeat(width - s.length());
    }
}

package dev.fastvlm.genie.qnn;

import dev.fastvlm.ModelArtifactException;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One graph of a QNN context binary, with its input and output tensors in graph order.
 *
 * @param name    the graph's name
 * @param inputs  the tensors {@code qnn-net-run} reads, in input-list order
 * @param outputs the tensors it writes
 */
public record QnnGraph(String name, List<TensorSpec> inputs, List<TensorSpec> outputs) {

    /**
     * Checks the name and copies the tensor lists.
     *
     * @param name the graph's name
     * @param inputs the tensors {@code qnn-net-run} reads, in input-list order
     * @param outputs the tensors it writes
     * @throws IllegalArgumentException when {@code name} is blank
     * @throws NullPointerException when a list is null or holds null
     */
    public QnnGraph {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("graph name must not be blank");
        }
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /**
     * The input called {@code tensorName}; the error lists the inputs there are.
     *
     * @param tensorName the tensor's name as the context binary gives it
     * @return the input's specification
     * @throws dev.fastvlm.ModelArtifactException when the graph has no such input
     */
    public TensorSpec input(String tensorName) {
        return find(inputs, tensorName, "input");
    }

    /**
     * The output called {@code tensorName}; the error lists the outputs there are.
     *
     * @param tensorName the tensor's name as the context binary gives it
     * @return the output's specification
     * @throws dev.fastvlm.ModelArtifactException when the graph has no such output
     */
    public TensorSpec output(String tensorName) {
        return find(outputs, tensorName, "output");
    }

    /**
     * The graph's one input (a text embedder's token ids, a vision encoder's pixels).
     *
     * @return the only input's specification
     * @throws dev.fastvlm.ModelArtifactException when the graph has none or several inputs
     */
    public TensorSpec onlyInput() {
        return only(inputs, "input");
    }

    /**
     * The graph's one output (the embeddings of a vision encoder or text embedder).
     *
     * @return the only output's specification
     * @throws dev.fastvlm.ModelArtifactException when the graph has none or several outputs
     */
    public TensorSpec onlyOutput() {
        return only(outputs, "output");
    }

    private TensorSpec find(List<TensorSpec> tensors, String tensorName, String kind) {
        return tensors.stream().filter(t -> t.name().equals(tensorName)).findFirst()
                .orElseThrow(() -> new ModelArtifactException("graph " + name + " has no " + kind + " named \""
                        + tensorName + "\"; its " + kind + "s: " + names(tensors)));
    }

    private TensorSpec only(List<TensorSpec> tensors, String kind) {
        if (tensors.size() != 1) {
            throw new ModelArtifactException("graph " + name + " has " + tensors.size() + " " + kind
                    + "s, expected exactly one: " + names(tensors));
        }
        return tensors.get(0);
    }

    private static String names(List<TensorSpec> tensors) {
        return tensors.isEmpty() ? "none" : tensors.stream().map(TensorSpec::name).collect(Collectors.joining(", "));
    }
}

package dev.fastvlm.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fastvlm.InvalidInputException;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.core.embed.CombinedEmbeddings;
import dev.fastvlm.core.embed.EmbeddingTable;
import dev.fastvlm.core.embed.TextEmbeddings;
import dev.fastvlm.core.embed.VisionEmbeddings;
import dev.fastvlm.genie.qnn.ContextBinaryInfo;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code fastvlm combine}: the seed's step 7 on the host. Dequantizes the vision encoder's output,
 * takes the text rows from the text embedder's output or from the LUT, splices them and writes
 * the decoder's embedding file.
 */
@Command(name = "combine",
        mixinStandardHelpOptions = true,
        description = "Dequantize the vision encoder's output and splice it with the prompt's text embeddings"
                + " into the language model's input embedding file.")
final class CombineCommand implements Runnable {
    private static final ObjectMapper JSON = new ObjectMapper();

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--vision", required = true, paramLabel = "FILE",
            description = "The vision encoder's output, e.g. image_features_native.raw.")
    Path vision;

    @Option(names = "--context-json", paramLabel = "FILE",
            description = "The vision encoder's qnn-context-binary-utility JSON: its output gives the element type"
                    + " and quantization (instead of --vision-dtype, --scale, --offset).")
    Path contextJson;

    @Option(names = "--vision-dtype", paramLabel = "TYPE",
            description = "Element type of the vision output: ${COMPLETION-CANDIDATES}.")
    ElementType visionType;

    @Option(names = "--scale", paramLabel = "S", description = "Quantization scale of a fixed-point vision output.")
    Double scale;

    @Option(names = "--offset", paramLabel = "O", description = "Quantization offset of a fixed-point vision output"
            + " (QNN's: float = (q + offset) * scale).")
    Integer offset;

    @Option(names = "--dims", required = true, split = ",", paramLabel = "D,D,...", hideParamSyntax = true,
            description = "Dimensions of the vision output, comma-separated, e.g. 1,256,896.")
    List<Integer> dims;

    @ArgGroup(exclusive = true, multiplicity = "1")
    TextSource text;

    @Option(names = "--layout", defaultValue = "prepend", paramLabel = "LAYOUT",
            description = "prepend (vision rows, then text; the default) or placeholder (vision rows at --image-index).")
    String layout;

    @Option(names = "--image-index", paramLabel = "K",
            description = "With --layout placeholder: the number of text rows before the vision rows.")
    Integer imageIndex;

    @Option(names = "--out-dtype", defaultValue = "float32", paramLabel = "TYPE",
            description = "Element type written: float32 (default), float16, uint8, uint16, int8 or int16.")
    ElementType outType;

    @Option(names = "--out-scale", paramLabel = "S", description = "Quantization scale of a fixed-point --out-dtype.")
    Double outScale;

    @Option(names = "--out-offset", paramLabel = "O", description = "Quantization offset of a fixed-point --out-dtype.")
    Integer outOffset;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The combined embedding file.")
    Path out;

    /** The image_index of tokenize's output given as --ids-json, if it had one. */
    private Integer idsFileImageIndex;

    /** Where the text rows come from: exactly one of the two. */
    static final class TextSource {
        @ArgGroup(exclusive = false, multiplicity = "1")
        EmbedderOutput embedder;

        @ArgGroup(exclusive = false, multiplicity = "1")
        Lut lut;
    }

    static final class EmbedderOutput {
        @Option(names = "--text-embeds", required = true, paramLabel = "FILE",
                description = "The text embedder's float32 output [1, cache_len, width], e.g. output_0.raw.")
        Path file;

        @Option(names = "--num-text", required = true, paramLabel = "N",
                description = "Number of real text tokens (rows kept from --text-embeds).")
        int numText;
    }

    static final class Lut {
        @Option(names = "--lut", required = true, paramLabel = "FILE", description = "The float32 LUT.bin [n_vocab, width].")
        Path file;

        @Option(names = "--ids-json", required = true, paramLabel = "FILE",
                description = "The prompt's token ids: what `fastvlm tokenize` prints (its image_index is the"
                        + " default --image-index), a JSON array, or an object with a token_ids array.")
        Path ids;
    }

    /** Element types by their numpy names. */
    enum ElementType {
        uint8(QnnDataType.UFIXED_POINT_8), int8(QnnDataType.SFIXED_POINT_8),
        uint16(QnnDataType.UFIXED_POINT_16), int16(QnnDataType.SFIXED_POINT_16),
        float16(QnnDataType.FLOAT_16), float32(QnnDataType.FLOAT_32);

        final QnnDataType qnn;

        ElementType(QnnDataType qnn) {
            this.qnn = qnn;
        }
    }

    @Override
    public void run() {
        TensorSpec visionSpec = visionSpec();
        VisionEmbeddings visionRows = VisionEmbeddings.of(vision, visionSpec);
        TextEmbeddings textRows = text.embedder != null ? embedderRows(visionSpec.innermost()) : lutRows(visionSpec.innermost());
        CombinedEmbeddings.Builder builder = CombinedEmbeddings.builder().vision(visionRows).text(textRows);
        switch (layout) {
            case "prepend" -> {
                if (imageIndex != null) {
                    throw usage("--image-index applies only to --layout placeholder");
                }
                builder.prepend();
            }
            case "placeholder" -> {
                Integer index = imageIndex != null ? imageIndex : idsFileImageIndex;
                if (index == null) {
                    throw usage("--layout placeholder needs --image-index (or an --ids-json from tokenize"
                            + " --layout placeholder)");
                }
                builder.placeholder(index);
            }
            default -> throw usage("--layout must be prepend or placeholder, was " + layout);
        }
        builder.output(outType.qnn, quantization(outType, outScale, outOffset, "--out-scale", "--out-offset"));
        CombinedEmbeddings combined = builder.build();
        combined.writeTo(out);
        spec.commandLine().getOut().printf("%s: %d rows x %d %s (%d vision + %d text), %d bytes%n", out,
                combined.rows(), combined.width(), outType, visionRows.rows(), textRows.rows(), combined.byteSize());
    }

    private TensorSpec visionSpec() {
        if (contextJson != null) {
            if (visionType != null || scale != null || offset != null) {
                throw usage("give either --context-json or --vision-dtype/--scale/--offset, not both");
            }
            TensorSpec output = ContextBinaryInfo.read(contextJson).singleGraph().onlyOutput();
            if (!output.dimensions().equals(dims)) {
                throw usage("--dims " + dims + " differ from " + contextJson + "'s output " + output.name() + " "
                        + output.dimensions());
            }
            return output;
        }
        if (visionType == null) {
            throw usage("give --context-json or --vision-dtype");
        }
        try {
            return new TensorSpec("vision", visionType.qnn, dims,
                    quantization(visionType, scale, offset, "--scale", "--offset"));
        } catch (IllegalArgumentException e) {
            throw usage("--dims: " + e.getMessage());
        }
    }

    private Optional<Quantization> quantization(ElementType type, Double s, Integer o, String scaleOption,
                                                String offsetOption) {
        if (!type.qnn.quantized()) {
            if (s != null || o != null) {
                throw usage(scaleOption + " and " + offsetOption + " apply only to fixed-point types, not " + type);
            }
            return Optional.empty();
        }
        if (s == null || o == null) {
            throw usage(type + " needs " + scaleOption + " and " + offsetOption);
        }
        try {
            // A JSON double cast to float32, exactly as numpy's float32 arithmetic uses float(scale).
            return Optional.of(Quantization.perTensor(s.floatValue(), o));
        } catch (IllegalArgumentException e) {
            throw usage(scaleOption + ": " + e.getMessage());
        }
    }

    private TextEmbeddings embedderRows(int width) {
        long size;
        try {
            size = Files.size(text.embedder.file);
        } catch (IOException e) {
            throw new ModelArtifactException("cannot read text embedder output " + text.embedder.file + ": " + e, e);
        }
        long rowBytes = 4L * width;
        if (size == 0 || size % rowBytes != 0) {
            throw new ModelArtifactException("text embedder output " + text.embedder.file + " is " + size
                    + " bytes, not a whole number of float32 rows of width " + width + " (" + rowBytes + " bytes)");
        }
        TensorSpec spec = new TensorSpec("text", QnnDataType.FLOAT_32, List.of(1, (int) (size / rowBytes), width),
                Optional.empty());
        return TextEmbeddings.fromEmbedderOutput(text.embedder.file, spec, text.embedder.numText);
    }

    private TextEmbeddings lutRows(int width) {
        EmbeddingTable table = EmbeddingTable.open(text.lut.file, width, QnnDataType.FLOAT_32, Optional.empty());
        return table.gather(readIds(text.lut.ids));
    }

    private int[] readIds(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new InvalidInputException("cannot read token ids from " + file + ": " + e.getMessage(), e);
        }
        JsonNode ids = root;
        if (root != null && root.isObject()) {
            ids = root.has("ids") ? root.get("ids") : root.get("token_ids");
            JsonNode index = root.get("image_index");
            if (index != null) {
                if (!index.isIntegralNumber() || !index.canConvertToInt() || index.intValue() < 0) {
                    throw new InvalidInputException(file + ": image_index is not a count of tokens: " + index);
                }
                idsFileImageIndex = index.intValue();
            }
        }
        if (ids == null || !ids.isArray()) {
            throw new InvalidInputException(file + " must hold token ids: tokenize's output ({\"ids\": [...]}),"
                    + " a JSON array, or an object with a token_ids array");
        }
        int[] result = new int[ids.size()];
        for (int i = 0; i < result.length; i++) {
            JsonNode id = ids.get(i);
            if (!id.canConvertToInt() || !id.isIntegralNumber()) {
                throw new InvalidInputException(file + ": token id at position " + i + " is not an integer: " + id);
            }
            result[i] = id.intValue();
        }
        return result;
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}

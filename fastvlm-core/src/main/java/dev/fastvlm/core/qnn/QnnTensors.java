package dev.fastvlm.core.qnn;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import dev.fastvlm.ModelArtifactException;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.QnnGraph;
import dev.fastvlm.genie.qnn.Quantization;
import dev.fastvlm.genie.qnn.TensorSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * QNN's structures as a 64-bit build lays them out (docs/qualcomm-formats.md section 13):
 * reading a context binary's graphs from {@code QnnSystemContext_BinaryInfo_t}, and writing the
 * {@code Qnn_Tensor_t} arrays that {@code graphExecute} takes.
 */
final class QnnTensors {

    /** {@code sizeof(Qnn_Tensor_t)}, the stride of a tensor array. */
    static final int TENSOR_SIZE = 144;
    /** {@code sizeof(QnnSystemContext_GraphInfo_t)} of QNN 2.40, the stride of a graph array (u: build-dependent). */
    static final int GRAPH_INFO_SIZE = 88;
    static final int VERSION = 0;
    static final int ID = 8;
    static final int NAME = 16;
    static final int TYPE = 24;
    static final int DATA_FORMAT = 28;
    static final int DATA_TYPE = 32;
    static final int QUANT_DEFINITION = 40;
    static final int QUANT_ENCODING = 44;
    static final int SCALE = 48;
    static final int OFFSET = 52;
    static final int RANK = 80;
    static final int DIMENSIONS = 88;
    static final int MEM_TYPE = 96;
    static final int CLIENT_DATA = 104;
    static final int CLIENT_SIZE = 112;
    static final int DEFINITION_DEFINED = 1;
    static final int ENCODING_SCALE_OFFSET = 0;
    static final int MEM_TYPE_RAW = 0;

    /** {@code Qnn_DataType_t} codes (QnnTypes.h) of the types the project knows. */
    private static final Map<Integer, QnnDataType> DATA_TYPES = Map.of(
            0x0408, QnnDataType.UFIXED_POINT_8, 0x0416, QnnDataType.UFIXED_POINT_16,
            0x0308, QnnDataType.SFIXED_POINT_8, 0x0316, QnnDataType.SFIXED_POINT_16,
            0x0108, QnnDataType.UINT_8, 0x0032, QnnDataType.INT_32, 0x0132, QnnDataType.UINT_32,
            0x0216, QnnDataType.FLOAT_16, 0x0232, QnnDataType.FLOAT_32);

    private QnnTensors() {
    }

    /** One graph tensor as the binary registers it: the spec, and what execute must echo. */
    record Registered(TensorSpec spec, int version, int id, int type, int dataFormat, int dataTypeCode,
                      int quantDefinition, int quantEncoding) {
    }

    /** A graph of the binary, with its registered tensors. */
    record Graph(QnnGraph spec, List<Registered> inputs, List<Registered> outputs) {
    }

    /**
     * The graphs of a binary info, copied (the info belongs to the system context).
     *
     * @throws ModelArtifactException when a version or a value is not one this binding knows
     */
    static List<Graph> graphs(Pointer info, String source) {
        int version = info.getInt(0);
        long numGraphsAt;
        long graphsAt;
        switch (version) {
            case 1, 2 -> {
                numGraphsAt = 120;
                graphsAt = 128;
            }
            case 3 -> {
                numGraphsAt = 96;
                graphsAt = 104;
            }
            default -> throw new ModelArtifactException(source + ": QnnSystemContext_BinaryInfo_t version " + version
                    + " is not one this binding reads (1 to 3)");
        }
        int count = info.getInt(numGraphsAt);
        Pointer array = info.getPointer(graphsAt);
        if (count < 1 || array == null) {
            throw new ModelArtifactException(source + " holds no graph");
        }
        List<Graph> graphs = new ArrayList<>();
        for (int g = 0; g < count; g++) {
            Pointer graph = array.share((long) g * GRAPH_INFO_SIZE);
            int graphVersion = graph.getInt(0);
            if (graphVersion < 1 || graphVersion > 3 || graph.getPointer(8) == null) {
                throw new ModelArtifactException(source + ": graph " + g + " has GraphInfo version " + graphVersion
                        + "; this binding reads versions 1 to 3" + (g > 0 ? " (the graph array's stride is "
                        + GRAPH_INFO_SIZE + " bytes as in QNN 2.40; other builds may differ)" : ""));
            }
            String name = graph.getPointer(8).getString(0);
            List<Registered> inputs = tensors(graph.getPointer(24), graph.getInt(16), source + " graph " + name);
            List<Registered> outputs = tensors(graph.getPointer(40), graph.getInt(32), source + " graph " + name);
            graphs.add(new Graph(new QnnGraph(name, inputs.stream().map(Registered::spec).toList(),
                    outputs.stream().map(Registered::spec).toList()), inputs, outputs));
        }
        return graphs;
    }

    private static List<Registered> tensors(Pointer array, int count, String source) {
        if (count < 1 || array == null) {
            throw new ModelArtifactException(source + " has no tensors where it needs at least one");
        }
        List<Registered> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pointer t = array.share((long) i * TENSOR_SIZE);
            int version = t.getInt(VERSION);
            if (version != 1 && version != 2) {
                throw new ModelArtifactException(source + ": tensor " + i + " has Qnn_Tensor_t version " + version
                        + "; this binding reads versions 1 and 2");
            }
            String name = t.getPointer(NAME) == null ? "" : t.getPointer(NAME).getString(0);
            int code = t.getInt(DATA_TYPE);
            QnnDataType type = DATA_TYPES.get(code);
            if (type == null) {
                throw new ModelArtifactException(source + ": tensor " + name + " has data type 0x"
                        + Integer.toHexString(code) + ", which the project does not handle");
            }
            int rank = t.getInt(RANK);
            Pointer dims = t.getPointer(DIMENSIONS);
            if (rank < 1 || rank > 16 || dims == null) {
                throw new ModelArtifactException(source + ": tensor " + name + " has rank " + rank);
            }
            List<Integer> dimensions = new ArrayList<>();
            for (int d = 0; d < rank; d++) {
                dimensions.add(dims.getInt(4L * d));
            }
            int definition = t.getInt(QUANT_DEFINITION);
            int encoding = t.getInt(QUANT_ENCODING);
            Optional<Quantization> quantization = Optional.empty();
            if (type.quantized()) {
                if (definition != DEFINITION_DEFINED || encoding != ENCODING_SCALE_OFFSET) {
                    throw new ModelArtifactException(source + ": tensor " + name + " (" + type.qnnName()
                            + ") has quantization definition " + definition + ", encoding " + encoding
                            + "; the in-process engine reads one scale and offset per tensor (defined, scale-offset)");
                }
                quantization = Optional.of(Quantization.perTensor(t.getFloat(SCALE), t.getInt(OFFSET)));
            }
            TensorSpec spec = new TensorSpec(name, type, dimensions, quantization);
            list.add(new Registered(spec, version, t.getInt(ID), t.getInt(TYPE), t.getInt(DATA_FORMAT), code,
                    definition, encoding));
        }
        return list;
    }

    /**
     * The {@code Qnn_Tensor_t} array for execute: each registered tensor's version, id, name, type,
     * data format, data type, quantization and dimensions, memory type raw, client buffer unset.
     * The names and dimensions live in {@code keep}, which must outlive the array's use.
     */
    static Memory executeArray(List<Registered> tensors, List<Memory> keep) {
        Memory array = new Memory((long) TENSOR_SIZE * tensors.size());
        array.clear();
        for (int i = 0; i < tensors.size(); i++) {
            Registered r = tensors.get(i);
            Pointer t = array.share((long) i * TENSOR_SIZE);
            Memory name = new Memory(r.spec().name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1L);
            name.setString(0, r.spec().name(), "UTF-8");
            Memory dims = new Memory(4L * r.spec().dimensions().size());
            for (int d = 0; d < r.spec().dimensions().size(); d++) {
                dims.setInt(4L * d, r.spec().dimensions().get(d));
            }
            keep.add(name);
            keep.add(dims);
            t.setInt(VERSION, r.version());
            t.setInt(ID, r.id());
            t.setPointer(NAME, name);
            t.setInt(TYPE, r.type());
            t.setInt(DATA_FORMAT, r.dataFormat());
            t.setInt(DATA_TYPE, r.dataTypeCode());
            t.setInt(QUANT_DEFINITION, r.quantDefinition());
            t.setInt(QUANT_ENCODING, r.quantEncoding());
            r.spec().quantization().ifPresent(q -> {
                Quantization.PerTensor p = (Quantization.PerTensor) q;
                t.setFloat(SCALE, p.scale());
                t.setInt(OFFSET, p.offset());
            });
            t.setInt(RANK, r.spec().dimensions().size());
            t.setPointer(DIMENSIONS, dims);
            t.setInt(MEM_TYPE, MEM_TYPE_RAW);
        }
        return array;
    }

    /** Points tensor {@code i} of an execute array at a client buffer. */
    static void setClientBuffer(Memory array, int i, Pointer data, long size) {
        array.setPointer((long) i * TENSOR_SIZE + CLIENT_DATA, data);
        array.setInt((long) i * TENSOR_SIZE + CLIENT_SIZE, (int) size);
    }
}

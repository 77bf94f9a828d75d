package dev.fastvlm.genie.config;

import dev.fastvlm.genie.qnn.QnnDataType;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/** The element type of the embeddings Genie receives ({@code dialog.embedding.datatype}). */
public enum EmbeddingDatatype {
    /** 32-bit floats, Genie's default; it converts them to what the model takes. */
    FLOAT32("float32", QnnDataType.FLOAT_32),
    /** Whatever the model's embedding input takes, passed through unconverted. */
    NATIVE("native", null),
    /** Unsigned 8-bit fixed point, with a scale and offset. */
    UFIXED8("ufixed8", QnnDataType.UFIXED_POINT_8),
    /** Unsigned 16-bit fixed point, with a scale and offset. */
    UFIXED16("ufixed16", QnnDataType.UFIXED_POINT_16),
    /** Signed 8-bit fixed point, with a scale and offset. */
    SFIXED8("sfixed8", QnnDataType.SFIXED_POINT_8),
    /** Signed 16-bit fixed point, with a scale and offset. */
    SFIXED16("sfixed16", QnnDataType.SFIXED_POINT_16);

    private final String jsonName;
    private final QnnDataType qnnType;

    EmbeddingDatatype(String jsonName, QnnDataType qnnType) {
        this.jsonName = jsonName;
        this.qnnType = qnnType;
    }

    /** {@return the spelling in the config, e.g. {@code float32}} */
    public String jsonName() {
        return jsonName;
    }

    /** {@return the QNN type of one element; empty for {@link #NATIVE}, which follows the model} */
    public Optional<QnnDataType> qnnType() {
        return Optional.ofNullable(qnnType);
    }

    /**
     * The datatype whose elements are {@code type}, if Genie has one.
     *
     * @param type a QNN element type, for example the model's embedding input type
     * @return the Genie datatype of that element type, or empty when Genie has none
     */
    public static Optional<EmbeddingDatatype> of(QnnDataType type) {
        return Arrays.stream(values()).filter(d -> d.qnnType == type).findFirst();
    }

    static Optional<EmbeddingDatatype> fromJsonName(String name) {
        return Arrays.stream(values()).filter(d -> d.jsonName.equals(name)).findFirst();
    }

    static String names() {
        return Arrays.stream(values()).map(EmbeddingDatatype::jsonName).collect(Collectors.joining(", "));
    }
}

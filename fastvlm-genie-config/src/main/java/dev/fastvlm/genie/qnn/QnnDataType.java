package dev.fastvlm.genie.qnn;

import java.util.Arrays;
import java.util.Optional;

/**
 * The tensor data types of QNN, as {@code qnn-context-binary-utility} names them
 * ({@code QNN_DATATYPE_UFIXED_POINT_8}, ...), with their element width in bytes.
 */
public enum QnnDataType {
    UFIXED_POINT_8("QNN_DATATYPE_UFIXED_POINT_8", 1, true, false),
    UFIXED_POINT_16("QNN_DATATYPE_UFIXED_POINT_16", 2, true, false),
    SFIXED_POINT_8("QNN_DATATYPE_SFIXED_POINT_8", 1, true, true),
    SFIXED_POINT_16("QNN_DATATYPE_SFIXED_POINT_16", 2, true, true),
    UINT_8("QNN_DATATYPE_UINT_8", 1, false, false),
    INT_32("QNN_DATATYPE_INT_32", 4, false, true),
    UINT_32("QNN_DATATYPE_UINT_32", 4, false, false),
    FLOAT_16("QNN_DATATYPE_FLOAT_16", 2, false, true),
    FLOAT_32("QNN_DATATYPE_FLOAT_32", 4, false, true);

    private final String qnnName;
    private final int bytes;
    private final boolean quantized;
    private final boolean signed;

    QnnDataType(String qnnName, int bytes, boolean quantized, boolean signed) {
        this.qnnName = qnnName;
        this.bytes = bytes;
        this.quantized = quantized;
        this.signed = signed;
    }

    /** The name in QNN's headers and JSON, e.g. {@code QNN_DATATYPE_UFIXED_POINT_8}. */
    public String qnnName() {
        return qnnName;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Fixed-point types carry a scale and offset: {@code float = (q + offset) * scale}. */
    public boolean quantized() {
        return quantized;
    }

    public boolean signed() {
        return signed;
    }

    public boolean floatingPoint() {
        return this == FLOAT_16 || this == FLOAT_32;
    }

    /** The type QNN calls {@code qnnName}, if it is one this project handles. */
    public static Optional<QnnDataType> fromQnnName(String qnnName) {
        return Arrays.stream(values()).filter(t -> t.qnnName.equals(qnnName)).findFirst();
    }
}

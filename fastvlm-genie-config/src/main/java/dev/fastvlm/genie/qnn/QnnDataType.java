package dev.fastvlm.genie.qnn;

import java.util.Arrays;
import java.util.Optional;

/**
 * The tensor data types of QNN, as {@code qnn-context-binary-utility} names them
 * ({@code QNN_DATATYPE_UFIXED_POINT_8}, ...), with their element width in bytes.
 */
public enum QnnDataType {
    /** Unsigned 8-bit fixed point (quantized), 1 byte. */
    UFIXED_POINT_8("QNN_DATATYPE_UFIXED_POINT_8", 1, true, false),
    /** Unsigned 16-bit fixed point (quantized), 2 bytes. */
    UFIXED_POINT_16("QNN_DATATYPE_UFIXED_POINT_16", 2, true, false),
    /** Signed 8-bit fixed point (quantized), 1 byte. */
    SFIXED_POINT_8("QNN_DATATYPE_SFIXED_POINT_8", 1, true, true),
    /** Signed 16-bit fixed point (quantized), 2 bytes. */
    SFIXED_POINT_16("QNN_DATATYPE_SFIXED_POINT_16", 2, true, true),
    /** Unsigned 8-bit integer, 1 byte. */
    UINT_8("QNN_DATATYPE_UINT_8", 1, false, false),
    /** Signed 32-bit integer (token ids), 4 bytes. */
    INT_32("QNN_DATATYPE_INT_32", 4, false, true),
    /** Unsigned 32-bit integer, 4 bytes. */
    UINT_32("QNN_DATATYPE_UINT_32", 4, false, false),
    /** IEEE half-precision float, 2 bytes. */
    FLOAT_16("QNN_DATATYPE_FLOAT_16", 2, false, true),
    /** IEEE single-precision float, 4 bytes. */
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

    /** {@return the name in QNN's headers and JSON, e.g. {@code QNN_DATATYPE_UFIXED_POINT_8}} */
    public String qnnName() {
        return qnnName;
    }

    /** {@return bytes per element} */
    public int bytes() {
        return bytes;
    }

    /**
     * Fixed-point types carry a scale and offset: {@code float = (q + offset) * scale}.
     *
     * @return {@code true} for the fixed-point types, which need a {@link Quantization}
     */
    public boolean quantized() {
        return quantized;
    }

    /**
     * Whether the raw values are signed.
     *
     * @return {@code true} for the signed fixed-point, integer and float types
     */
    public boolean signed() {
        return signed;
    }

    /**
     * Whether the type is a float (16 or 32 bits).
     *
     * @return {@code true} for {@link #FLOAT_16} and {@link #FLOAT_32}
     */
    public boolean floatingPoint() {
        return this == FLOAT_16 || this == FLOAT_32;
    }

    /**
     * The type QNN calls {@code qnnName}, if it is one this project handles.
     *
     * @param qnnName a name such as {@code QNN_DATATYPE_FLOAT_32}
     * @return the type, or empty for a name this project does not handle (or {@code null})
     */
    public static Optional<QnnDataType> fromQnnName(String qnnName) {
        return Arrays.stream(values()).filter(t -> t.qnnName.equals(qnnName)).findFirst();
    }
}

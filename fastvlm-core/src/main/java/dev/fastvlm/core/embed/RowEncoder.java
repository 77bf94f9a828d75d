package dev.fastvlm.core.embed;

import dev.fastvlm.core.tensor.Float16;
import dev.fastvlm.genie.qnn.QnnDataType;
import dev.fastvlm.genie.qnn.Quantization;

import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Writes rows in the decoder's embedding type: float32, fp16, or fixed-point with the decoder's
 * quant-param, quantized as {@code q = clamp(rint(f / scale) - offset)} (the inverse of
 * {@code f = (q + offset) * scale}, ties to even; a NaN quantizes to 0).
 */
final class RowEncoder {
    private final QnnDataType type;
    private final float scale;
    private final float offset;
    private final int min;
    private final int max;

    private RowEncoder(QnnDataType type, float scale, float offset, int min, int max) {
        this.type = type;
        this.scale = scale;
        this.offset = offset;
        this.min = min;
        this.max = max;
    }

    static RowEncoder of(QnnDataType type, Optional<Quantization> quantization) {
        switch (type) {
            case FLOAT_32, FLOAT_16 -> {
                if (quantization.isPresent()) {
                    throw new IllegalArgumentException("output type " + type.qnnName() + " takes no quantization");
                }
                return new RowEncoder(type, 1f, 0f, 0, 0);
            }
            case UFIXED_POINT_8, UFIXED_POINT_16, SFIXED_POINT_8, SFIXED_POINT_16 -> {
                if (!(quantization.orElse(null) instanceof Quantization.PerTensor q)) {
                    throw new IllegalArgumentException("output type " + type.qnnName()
                            + " needs a per-tensor quantization (the decoder's quant-param)");
                }
                int bits = 8 * type.bytes();
                int min = type.signed() ? -(1 << (bits - 1)) : 0;
                int max = type.signed() ? (1 << (bits - 1)) - 1 : (1 << bits) - 1;
                return new RowEncoder(type, q.scale(), q.offset(), min, max);
            }
            default -> throw new IllegalArgumentException("output type " + type.qnnName()
                    + " is not an embedding type; use FLOAT_32, FLOAT_16 or a fixed-point type");
        }
    }

    QnnDataType type() {
        return type;
    }

    /**
     * Writes rows {@code [from, to)} of {@code rows} at {@code dst}'s position (little-endian),
     * advancing it; {@code scratch} holds one row of floats for the non-float32 types.
     */
    void encode(Rows rows, int from, int to, ByteBuffer dst, float[] scratch) {
        if (type == QnnDataType.FLOAT_32) {
            rows.writeFloat32(from, to, dst);
            return;
        }
        for (int r = from; r < to; r++) {
            encodeRow(rows, r, dst, scratch);
        }
    }

    private void encodeRow(Rows rows, int r, ByteBuffer dst, float[] scratch) {
        int width = rows.width();
        rows.toFloats(r, scratch);
        int at = dst.position();
        switch (type) {
            case FLOAT_16 -> {
                for (int i = 0; i < width; i++) {
                    dst.putShort(at + 2 * i, Float16.fromFloat(scratch[i]));
                }
            }
            case UFIXED_POINT_8, SFIXED_POINT_8 -> {
                for (int i = 0; i < width; i++) {
                    dst.put(at + i, (byte) quantize(scratch[i]));
                }
            }
            default -> {
                for (int i = 0; i < width; i++) {
                    dst.putShort(at + 2 * i, (short) quantize(scratch[i]));
                }
            }
        }
        ((java.nio.Buffer) dst).position(at + width * type.bytes());
    }

    private int quantize(float value) {
        float q = (float) Math.rint(value / scale) - offset;
        if (q >= max) {
            return max;
        }
        if (q <= min) {
            return min;
        }
        return (int) q;
    }
}

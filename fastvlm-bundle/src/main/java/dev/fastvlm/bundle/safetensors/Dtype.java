package dev.fastvlm.bundle.safetensors;

import java.util.Arrays;
import java.util.Optional;

/** The element types a safetensors header may name, with their size in bits (the format's {@code Dtype}). */
public enum Dtype {
    /** Boolean, one byte. */
    BOOL(8),
    /** float8 e4m3fn. */
    F8_E4M3(8),
    /** float8 e5m2. */
    F8_E5M2(8),
    /** Unsigned 8-bit. */
    U8(8),
    /** Signed 8-bit. */
    I8(8),
    /** Signed 16-bit. */
    I16(16),
    /** Unsigned 16-bit. */
    U16(16),
    /** IEEE half precision. */
    F16(16),
    /** bfloat16: the upper half of a float32. */
    BF16(16),
    /** Signed 32-bit. */
    I32(32),
    /** Unsigned 32-bit. */
    U32(32),
    /** IEEE single precision. */
    F32(32),
    /** IEEE double precision. */
    F64(64),
    /** Signed 64-bit. */
    I64(64),
    /** Unsigned 64-bit. */
    U64(64);

    private final int bits;

    Dtype(int bits) {
        this.bits = bits;
    }

    /** {@return bits per element} */
    public int bits() {
        return bits;
    }

    /** {@return bytes per element} */
    public int bytes() {
        return bits / 8;
    }

    /**
     * The dtype a header spells {@code name}.
     *
     * @param name the header's {@code dtype} string
     * @return the dtype, or empty when the format has none of that name
     */
    public static Optional<Dtype> named(String name) {
        return Arrays.stream(values()).filter(d -> d.name().equals(name)).findFirst();
    }
}

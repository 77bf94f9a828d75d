package dev.fastvlm.core.image;

/** How the vision encoder wants its input tensor laid out in the file. */
public enum OutputLayout {
    /** Raw uint8, {@code [size, size, 3]} (height, width, channel): the INT8 encoder's input. */
    UINT8_HWC(1),
    /**
     * float32 little-endian, {@code [1, 3, size, size]}, each value {@code pixel / 255} computed in
     * float32 exactly as numpy does: the FP16 encoder's input.
     */
    FLOAT32_NCHW(4);

    private final int bytesPerValue;

    OutputLayout(int bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }

    /** {@return bytes of one channel value in the file} */
    public int bytesPerValue() {
        return bytesPerValue;
    }
}

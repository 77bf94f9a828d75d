package dev.fastvlm.emulator.model;

/**
 * The emulated model's arithmetic, shared by the bundle writer and the emulated tools so that
 * each side can check the other: how a token's embedding row looks, and how a vision patch is
 * encoded.
 *
 * <p>Text rows: elements 0..2 hold the token id in base-64 digits, {@code (digit - 32) / 64};
 * the rest are a fixed pseudo-random pattern in steps of 1/256. Every value is exact in fp16,
 * so a row survives the FP16 text embedder unchanged and can be matched exactly against the
 * table. Vision rows: mean red, green, blue of the patch in [0, 1], its grid row and column
 * divided by the grid size, then a marker of 1, then zeros.
 */
public final class EmulatedEncoding {
    /** FastVLM's image side: 1024 x 1024 pixels. */
    public static final int IMAGE_SIZE = 1024;
    /** 16 x 16 patches of 64 x 64 pixels: 256 vision tokens. */
    public static final int GRID = 16;
    /** Vision rows per image: one per patch. */
    public static final int VISION_TOKENS = GRID * GRID;
    /** The smallest row width that holds a vision patch's encoding. */
    public static final int MIN_WIDTH = 8;

    /** Quantization of the INT8 vision output, {@code float = (q + offset) * scale}. */
    public static final float VISION_SCALE = 1f / 128f;
    /** Zero point of the INT8 vision output (QNN's offset). */
    public static final int VISION_OFFSET = -64;

    private static final int MARKER = 5;

    private EmulatedEncoding() {
    }

    /**
     * Element {@code j} of token {@code t}'s embedding row.
     *
     * @param token the token id
     * @param j the element's index in the row
     * @return the element, exact in fp16
     */
    public static float textValue(int token, int j) {
        if (j < 3) {
            int digit = (token >>> (6 * j)) & 63;
            return (digit - 32) / 64f;
        }
        int h = token * 0x9E3779B1 + j * 0x85EBCA6B;
        h ^= h >>> 15;
        h *= 0x2C1B3C6D;
        h ^= h >>> 12;
        return ((h & 255) - 128) / 256f;
    }

    /**
     * Token {@code t}'s whole embedding row.
     *
     * @param token the token id
     * @param width elements per row
     * @return a new row
     */
    public static float[] textRow(int token, int width) {
        float[] row = new float[width];
        for (int j = 0; j < width; j++) {
            row[j] = textValue(token, j);
        }
        return row;
    }

    /**
     * The token id a text row claims to be (to be confirmed against the table).
     *
     * @param row a text embedding row
     * @return the token id its first three elements encode, or -1 when they encode none
     */
    public static int claimedToken(float[] row) {
        int id = 0;
        for (int j = 2; j >= 0; j--) {
            int digit = Math.round(row[j] * 64f) + 32;
            if (digit < 0 || digit > 63) {
                return -1;
            }
            id = (id << 6) | digit;
        }
        return id;
    }

    /**
     * The float encoding of one patch: mean colour in [0, 1] and grid position.
     *
     * @param r mean red in [0, 1]
     * @param g mean green in [0, 1]
     * @param b mean blue in [0, 1]
     * @param gridRow the patch's row in the grid, 0 to {@link #GRID} - 1
     * @param gridCol the patch's column in the grid, 0 to {@link #GRID} - 1
     * @param width elements per row, at least {@link #MIN_WIDTH}
     * @return a new row
     */
    public static float[] visionRow(float r, float g, float b, int gridRow, int gridCol, int width) {
        float[] row = new float[width];
        row[0] = r;
        row[1] = g;
        row[2] = b;
        row[3] = gridRow / (float) GRID;
        row[4] = gridCol / (float) GRID;
        row[MARKER] = 1f;
        return row;
    }

    /**
     * A decoded vision patch, or null if the row is not one (within one quantization step).
     *
     * @param row a decoder input row
     * @return the patch, or null
     */
    public static Patch decodeVision(float[] row) {
        float tolerance = VISION_SCALE * 1.01f;
        if (Math.abs(row[MARKER] - 1f) > tolerance) {
            return null;
        }
        for (int j = MARKER + 1; j < row.length; j++) {
            if (Math.abs(row[j]) > tolerance) {
                return null;
            }
        }
        for (int j = 0; j < 3; j++) {
            if (row[j] < -tolerance || row[j] > 1 + tolerance) {
                return null;
            }
        }
        int gridRow = Math.round(row[3] * GRID);
        int gridCol = Math.round(row[4] * GRID);
        if (Math.abs(row[3] * GRID - gridRow) > 0.2f || Math.abs(row[4] * GRID - gridCol) > 0.2f
                || gridRow < 0 || gridRow >= GRID || gridCol < 0 || gridCol >= GRID) {
            return null;
        }
        return new Patch(clamp(row[0]), clamp(row[1]), clamp(row[2]), gridRow, gridCol);
    }

    private static float clamp(float v) {
        return Math.max(0f, Math.min(1f, v));
    }

    /** One vision patch as the decoder recovered it. */
    public record Patch(float r, float g, float b, int row, int col) {
        /** {@return the patch's position in the grid, row by row} */
        public int index() {
            return row * GRID + col;
        }
    }
}

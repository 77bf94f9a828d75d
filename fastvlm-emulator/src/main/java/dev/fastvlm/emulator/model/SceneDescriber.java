package dev.fastvlm.emulator.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Names what the emulated decoder saw: the dominant colour of each half of the image, from the
 * patches it recovered. Deterministic, so tests can predict the answer from the image.
 */
public final class SceneDescriber {
    private static final Map<String, float[]> PALETTE = new LinkedHashMap<>();

    static {
        PALETTE.put("black", new float[] {0, 0, 0});
        PALETTE.put("white", new float[] {1, 1, 1});
        PALETTE.put("gray", new float[] {0.5f, 0.5f, 0.5f});
        PALETTE.put("red", new float[] {1, 0, 0});
        PALETTE.put("green", new float[] {0, 1, 0});
        PALETTE.put("blue", new float[] {0, 0, 1});
        PALETTE.put("yellow", new float[] {1, 1, 0});
        PALETTE.put("cyan", new float[] {0, 1, 1});
        PALETTE.put("magenta", new float[] {1, 0, 1});
        PALETTE.put("orange", new float[] {1, 0.5f, 0});
        PALETTE.put("purple", new float[] {0.5f, 0, 0.5f});
        PALETTE.put("dark green", new float[] {0, 0.5f, 0});
        PALETTE.put("navy", new float[] {0, 0, 0.5f});
        PALETTE.put("maroon", new float[] {0.5f, 0, 0});
    }

    private SceneDescriber() {
    }

    /**
     * The palette name nearest to a colour in [0, 1].
     *
     * @param r red in [0, 1]
     * @param g green in [0, 1]
     * @param b blue in [0, 1]
     * @return the name of the nearest palette colour, for example {@code dark green}
     */
    public static String colourName(float r, float g, float b) {
        String best = null;
        float bestDistance = Float.MAX_VALUE;
        for (Map.Entry<String, float[]> e : PALETTE.entrySet()) {
            float[] c = e.getValue();
            float d = (r - c[0]) * (r - c[0]) + (g - c[1]) * (g - c[1]) + (b - c[2]) * (b - c[2]);
            if (d < bestDistance) {
                bestDistance = d;
                best = e.getKey();
            }
        }
        return best;
    }

    /**
     * One sentence on where the dominant colours sit, e.g. "red on the left and blue on the right".
     *
     * @param patches the vision patches the decoder recovered
     * @return the sentence, in lower case without a full stop
     */
    public static String describe(List<EmulatedEncoding.Patch> patches) {
        int half = EmulatedEncoding.GRID / 2;
        String left = dominant(patches, p -> p.col() < half);
        String right = dominant(patches, p -> p.col() >= half);
        String top = dominant(patches, p -> p.row() < half);
        String bottom = dominant(patches, p -> p.row() >= half);
        if (!left.equals(right)) {
            return left + " on the left and " + right + " on the right";
        }
        if (!top.equals(bottom)) {
            return top + " at the top and " + bottom + " at the bottom";
        }
        return "mostly " + left;
    }

    private static String dominant(List<EmulatedEncoding.Patch> patches,
                                   java.util.function.Predicate<EmulatedEncoding.Patch> region) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (EmulatedEncoding.Patch p : patches) {
            if (region.test(p)) {
                counts.merge(colourName(p.r(), p.g(), p.b()), 1, Integer::sum);
            }
        }
        return counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse("nothing");
    }
}

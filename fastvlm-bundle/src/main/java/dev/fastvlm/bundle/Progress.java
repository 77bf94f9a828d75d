package dev.fastvlm.bundle;

/** Where the long steps of making a bundle report how far they are. */
@FunctionalInterface
public interface Progress {
    /**
     * Reports progress of a step.
     *
     * @param step  what is being done, e.g. {@code LUT.bin}
     * @param done  units done so far
     * @param total units in all ({@code done == total} when the step ends)
     */
    void update(String step, long done, long total);

    /**
     * Progress that goes nowhere.
     *
     * @return a progress that ignores every update
     */
    static Progress none() {
        return (step, done, total) -> { };
    }
}

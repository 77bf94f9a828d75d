package dev.fastvlm.genie.internal;

/**
 * One problem found in a JSON document, at a dotted JSON path such as
 * {@code dialog.engine.backend.QnnHtp.cpu-mask}. Not part of the API.
 *
 * @param path    where the problem is
 * @param problem what is wrong, with the offending value
 */
public record Violation(String path, String problem) {
    @Override
    public String toString() {
        return path + ": " + problem;
    }
}

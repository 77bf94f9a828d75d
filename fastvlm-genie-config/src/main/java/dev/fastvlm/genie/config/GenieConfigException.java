package dev.fastvlm.genie.config;

import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.genie.internal.Violation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A Genie dialog config that Genie would reject. {@link #field()} is the JSON path of the first
 * problem (e.g. {@code dialog.engine.backend.QnnHtp.cpu-mask}); the message lists every problem
 * found, separated by {@code "; "}.
 */
public class GenieConfigException extends InvalidConfigurationException {
    private static final long serialVersionUID = 1L;
    private final List<String> violations;

    GenieConfigException(List<Violation> violations) {
        super(violations.get(0).path(), violations.get(0).problem() + violations.stream().skip(1)
                .map(v -> "; " + v).collect(Collectors.joining()));
        this.violations = violations.stream().map(Violation::toString).toList();
    }

    /** Every problem, each as {@code path: problem}. */
    public List<String> violations() {
        return violations;
    }
}

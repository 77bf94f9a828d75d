package dev.fastvlm.genie.config;

import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.genie.internal.Violation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A Genie dialog config (or HTP extension config) that Genie would reject. {@link #field()} is the
 * JSON path of the first problem (e.g. {@code dialog.engine.backend.QnnHtp.cpu-mask}); the message
 * lists every problem found, separated by {@code "; "}, after the file's name when it came from one.
 */
public class GenieConfigException extends InvalidConfigurationException {
    private static final long serialVersionUID = 1L;
    private final transient List<Violation> found;
    /** The file the problems were found in, or null. */
    private final String source;

    GenieConfigException(List<Violation> violations) {
        this(violations, null);
    }

    private GenieConfigException(List<Violation> violations, String source) {
        super(violations.get(0).path(), violations.get(0).problem() + violations.stream().skip(1)
                .map(v -> "; " + v).collect(Collectors.joining()));
        this.found = List.copyOf(violations);
        this.source = source;
    }

    /** The same problems, reported as found in {@code file}. */
    GenieConfigException inFile(String file) {
        return new GenieConfigException(found, file);
    }

    /**
     * Every problem, each as {@code path: problem}.
     *
     * @return the problems in the order found, each as {@code path: problem}
     */
    public List<String> violations() {
        return found.stream().map(Violation::toString).toList();
    }

    @Override
    public String getMessage() {
        return source == null ? super.getMessage() : source + ": " + super.getMessage();
    }
}

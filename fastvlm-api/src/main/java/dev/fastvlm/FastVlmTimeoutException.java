package dev.fastvlm;

import java.time.Duration;

/** An operation did not finish within its time limit; whatever it started on the device was stopped. */
public class FastVlmTimeoutException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    private final transient Duration limit;

    /**
     * A timeout of {@code operation} after {@code limit}.
     *
     * @param operation what did not finish, for example {@code "pull of out.raw"}
     * @param limit the time it was allowed
     */
    public FastVlmTimeoutException(String operation, Duration limit) {
        super(operation + " did not finish within " + limit.toMillis() + " ms");
        this.limit = limit;
    }

    /**
     * The time the operation was allowed.
     *
     * @return the limit that was exceeded; {@code null} after deserialization, as it is not serialized
     */
    public Duration limit() {
        return limit;
    }
}

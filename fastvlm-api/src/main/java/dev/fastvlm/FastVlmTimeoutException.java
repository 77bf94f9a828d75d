package dev.fastvlm;

import java.time.Duration;

/** An operation did not finish within its time limit; whatever it started on the device was stopped. */
public class FastVlmTimeoutException extends FastVlmException {
    private static final long serialVersionUID = 1L;
    private final transient Duration limit;

    public FastVlmTimeoutException(String operation, Duration limit) {
        super(operation + " did not finish within " + limit.toMillis() + " ms");
        this.limit = limit;
    }

    public Duration limit() {
        return limit;
    }
}

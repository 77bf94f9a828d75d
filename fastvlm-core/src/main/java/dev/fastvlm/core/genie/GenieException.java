package dev.fastvlm.core.genie;

import dev.fastvlm.FastVlmException;

import java.util.Map;

/**
 * A Genie C API call returned an error status. Carries the code and Genie's name for it
 * ({@code GENIE_STATUS_ERROR_JSON_SCHEMA}, ...).
 */
public final class GenieException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /** Genie_Status_t values (GenieCommon.h). */
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "GENIE_STATUS_SUCCESS"),
            Map.entry(1, "GENIE_STATUS_WARNING_ABORTED"),
            Map.entry(2, "GENIE_STATUS_WARNING_BOUND_HANDLE"),
            Map.entry(3, "GENIE_STATUS_WARNING_PAUSED"),
            Map.entry(4, "GENIE_STATUS_WARNING_CONTEXT_EXCEEDED"),
            Map.entry(-1, "GENIE_STATUS_ERROR_GENERAL"),
            Map.entry(-2, "GENIE_STATUS_ERROR_INVALID_ARGUMENT"),
            Map.entry(-3, "GENIE_STATUS_ERROR_MEM_ALLOC"),
            Map.entry(-4, "GENIE_STATUS_ERROR_INVALID_CONFIG"),
            Map.entry(-5, "GENIE_STATUS_ERROR_INVALID_HANDLE"),
            Map.entry(-6, "GENIE_STATUS_ERROR_QUERY_FAILED"),
            Map.entry(-7, "GENIE_STATUS_ERROR_JSON_FORMAT"),
            Map.entry(-8, "GENIE_STATUS_ERROR_JSON_SCHEMA"),
            Map.entry(-9, "GENIE_STATUS_ERROR_JSON_VALUE"),
            Map.entry(-10, "GENIE_STATUS_ERROR_GENERATE_FAILED"),
            Map.entry(-11, "GENIE_STATUS_ERROR_GET_HANDLE_FAILED"),
            Map.entry(-12, "GENIE_STATUS_ERROR_APPLY_CONFIG_FAILED"),
            Map.entry(-13, "GENIE_STATUS_ERROR_SET_PARAMS_FAILED"),
            Map.entry(-14, "GENIE_STATUS_ERROR_BOUND_HANDLE"));

    /** The C function that failed. */
    private final String function;
    /** The {@code Genie_Status_t} it returned. */
    private final int status;

    GenieException(String function, int status, String context) {
        super(function + " failed with " + statusName(status) + " (" + status + ")"
                + (context.isEmpty() ? "" : ": " + context));
        this.function = function;
        this.status = status;
    }

    /**
     * Genie's name for a status code, or {@code GENIE_STATUS_<code>} for one this version does not know.
     *
     * @param status a {@code Genie_Status_t} value
     * @return the status's name from {@code GenieCommon.h}
     */
    public static String statusName(int status) {
        return NAMES.getOrDefault(status, "GENIE_STATUS_" + status);
    }

    /** {@return the C function that failed, e.g. {@code GenieDialogConfig_createFromJson}} */
    public String function() {
        return function;
    }

    /** {@return the {@code Genie_Status_t} it returned} */
    public int status() {
        return status;
    }

    /**
     * Genie's name for {@link #status()}.
     *
     * @return the status's name, for example {@code GENIE_STATUS_ERROR_JSON_SCHEMA}
     */
    public String statusName() {
        return statusName(status);
    }
}

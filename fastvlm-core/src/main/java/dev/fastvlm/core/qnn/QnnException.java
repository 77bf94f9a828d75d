package dev.fastvlm.core.qnn;

import dev.fastvlm.FastVlmException;

import java.util.Map;

/**
 * A QNN C API call returned an error. Carries QNN's error code (the low 16 bits of the returned
 * {@code Qnn_ErrorHandle_t}) and QNN's name for it ({@code QNN_CONTEXT_ERROR_CREATE_FROM_BINARY},
 * ...; docs/qualcomm-formats.md section 13).
 */
public final class QnnException extends FastVlmException {
    private static final long serialVersionUID = 1L;

    /** Error codes of QnnCommon.h, QnnBackend.h, QnnContext.h, QnnGraph.h, QnnDevice.h and QnnSystemCommon.h. */
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1000, "QNN_COMMON_ERROR_NOT_SUPPORTED"),
            Map.entry(1002, "QNN_COMMON_ERROR_MEM_ALLOC"),
            Map.entry(1003, "QNN_COMMON_ERROR_SYSTEM"),
            Map.entry(1004, "QNN_COMMON_ERROR_INVALID_ARGUMENT"),
            Map.entry(1007, "QNN_COMMON_ERROR_SYSTEM_COMMUNICATION"),
            Map.entry(1008, "QNN_COMMON_ERROR_INCOMPATIBLE_BINARIES"),
            Map.entry(1009, "QNN_COMMON_ERROR_LOADING_BINARIES"),
            Map.entry(1011, "QNN_COMMON_ERROR_SYSTEM_COMMUNICATION_FATAL"),
            Map.entry(4000, "QNN_BACKEND_ERROR_INITIALIZATION_FAILED"),
            Map.entry(4001, "QNN_BACKEND_ERROR_INVALID_HANDLE"),
            Map.entry(5002, "QNN_CONTEXT_ERROR_INVALID_HANDLE"),
            Map.entry(5004, "QNN_CONTEXT_ERROR_BINARY_VERSION"),
            Map.entry(5005, "QNN_CONTEXT_ERROR_CREATE_FROM_BINARY"),
            Map.entry(5008, "QNN_CONTEXT_ERROR_BINARY_CONFIGURATION"),
            Map.entry(5011, "QNN_CONTEXT_ERROR_BINARY_SUBOPTIMAL"),
            Map.entry(6001, "QNN_GRAPH_ERROR_INVALID_HANDLE"),
            Map.entry(6002, "QNN_GRAPH_ERROR_GRAPH_DOES_NOT_EXIST"),
            Map.entry(6003, "QNN_GRAPH_ERROR_INVALID_NAME"),
            Map.entry(6004, "QNN_GRAPH_ERROR_INVALID_TENSOR"),
            Map.entry(6023, "QNN_GRAPH_ERROR_GRAPH_NOT_FINALIZED"),
            Map.entry(14001, "QNN_DEVICE_ERROR_INVALID_HANDLE"),
            Map.entry(14002, "QNN_DEVICE_ERROR_HARDWARE_UNAVAILABLE"),
            Map.entry(14003, "QNN_DEVICE_ERROR_ASSOCIATED_TO_CONTEXT"),
            Map.entry(30000, "QNN_SYSTEM_CONTEXT_ERROR_INVALID_HANDLE"),
            Map.entry(30001, "QNN_SYSTEM_CONTEXT_ERROR_INVALID_ARGUMENT"),
            Map.entry(30002, "QNN_SYSTEM_CONTEXT_ERROR_OPERATION_FAILED"),
            Map.entry(30010, "QNN_SYSTEM_CONTEXT_ERROR_MALFORMED_BINARY"));

    /** The C function that failed. */
    private final String function;
    /** QNN's error code. */
    private final int code;

    QnnException(String function, long error, String context) {
        super(function + " failed with " + codeName(code(error)) + " (" + code(error) + ")"
                + (context.isEmpty() ? "" : ": " + context));
        this.function = function;
        this.code = code(error);
    }

    /** The error code: the low 16 bits of a {@code Qnn_ErrorHandle_t} (QnnCommon.h). */
    static int code(long error) {
        return (int) (error & 0xFFFF);
    }

    /**
     * QNN's name for an error code, or {@code QNN_ERROR_<code>} for one this version does not know.
     *
     * @param code an error code, e.g. 5005
     * @return its name, e.g. {@code QNN_CONTEXT_ERROR_CREATE_FROM_BINARY}
     */
    public static String codeName(int code) {
        return NAMES.getOrDefault(code, "QNN_ERROR_" + code);
    }

    /** {@return the C function that failed, e.g. {@code contextCreateFromBinary}} */
    public String function() {
        return function;
    }

    /** {@return QNN's error code, e.g. 5005} */
    public int code() {
        return code;
    }

    /** {@return QNN's name for {@link #code()}, e.g. {@code QNN_CONTEXT_ERROR_CREATE_FROM_BINARY}} */
    public String codeName() {
        return codeName(code);
    }
}

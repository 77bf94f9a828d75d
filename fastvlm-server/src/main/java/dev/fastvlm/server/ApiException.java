package dev.fastvlm.server;

import dev.fastvlm.CancelledException;
import dev.fastvlm.DeviceException;
import dev.fastvlm.DeviceToolException;
import dev.fastvlm.FastVlmTimeoutException;
import dev.fastvlm.InvalidConfigurationException;
import dev.fastvlm.InvalidInputException;

/**
 * A request's failure as OpenAI reports it: an HTTP status and the {@code error} object's
 * {@code message}, {@code type}, {@code param} and {@code code}.
 */
final class ApiException extends RuntimeException {

    private final int status;
    private final String type;
    private final String param;
    private final String code;

    ApiException(int status, String type, String param, String code, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
    }

    /** A problem with the request itself (400), naming the request field at fault. */
    static ApiException invalid(String param, String message) {
        return new ApiException(400, "invalid_request_error", param, "invalid_value", message);
    }

    /** The library's verdict on a request that reached it, as the HTTP answer a client can act on. */
    static ApiException from(RuntimeException failure) {
        if (failure instanceof ApiException api) {
            return api;
        }
        String message = failure.getMessage() == null ? failure.getClass().getSimpleName() : failure.getMessage();
        if (failure instanceof InvalidInputException || failure instanceof InvalidConfigurationException) {
            return new ApiException(400, "invalid_request_error", null, "invalid_input", message);
        }
        if (failure instanceof FastVlmTimeoutException) {
            return new ApiException(504, "timeout_error", null, "request_timeout", message);
        }
        if (isDeviceFailure(failure)) {
            return new ApiException(502, "device_error", null, "device_failed", message);
        }
        if (failure instanceof CancelledException) {
            return new ApiException(503, "server_error", null, "cancelled", message);
        }
        return new ApiException(500, "server_error", null, "internal_error", message);
    }

    /** Whether {@code failure} says the device (or its program) failed, rather than the request or the host. */
    static boolean isDeviceFailure(Throwable failure) {
        return failure instanceof DeviceException || failure instanceof DeviceToolException;
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    /** The request field at fault, or null. */
    String param() {
        return param;
    }

    String code() {
        return code;
    }
}

package dev.weft.dockerapi.internal;

/**
 * A refusal of the Engine API layer itself (a bad query or body, a route Weft does not serve), with
 * the status Docker answers it with. Refusals of the controller arrive as
 * {@link dev.weft.api.WeftException}s and are mapped by {@link EngineApi}.
 */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }

    static ApiException badRequest(String message) {
        return new ApiException(400, message);
    }

    static ApiException notFound(String message) {
        return new ApiException(404, message);
    }
}

package dev.weft.dockerapi.internal;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One answer: a status, its extra headers and a body ({@code application/json} unless the content
 * type says otherwise; empty for none).
 */
record ApiResponse(int status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json";

    static ApiResponse json(int status, String json) {
        return new ApiResponse(status, JSON, (json + "\n").getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static ApiResponse text(int status, String text, Map<String, String> headers) {
        return new ApiResponse(status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8), headers);
    }

    static ApiResponse empty(int status) {
        return new ApiResponse(status, null, new byte[0], Map.of());
    }

    String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}

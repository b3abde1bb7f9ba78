package dev.weft.dockerapi.internal;

import java.util.List;
import java.util.Map;

/**
 * One request as the routes see it, whatever carried it (Jetty, a test).
 *
 * @param method the HTTP method
 * @param path   the decoded path without the version prefix ({@code /networks/blue})
 * @param query  the query parameters, each with its values in order
 * @param body   the body as text ("" for none)
 */
record ApiRequest(String method, String path, Map<String, List<String>> query, String body) {
    ApiRequest {
        query = Map.copyOf(query);
        body = body == null ? "" : body;
    }

    /** The last value of a query parameter, or null. */
    String param(String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(values.size() - 1);
    }

    /** A boolean query parameter as Docker reads them ({@code 1}, {@code true}, …; absent or empty: false). */
    boolean flag(String name) {
        String v = param(name);
        if (v == null || v.isEmpty()) {
            return false;
        }
        return switch (v.toLowerCase(java.util.Locale.ROOT)) {
            case "1", "t", "true" -> true;
            case "0", "f", "false" -> false;
            default -> throw ApiException.badRequest("query parameter " + name + "=" + v
                    + ": expected true or false (or 1 or 0)");
        };
    }
}

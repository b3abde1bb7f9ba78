package dev.weft.dockerapi.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import dev.weft.api.Controller;
import dev.weft.api.WeftException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routes of Docker's Engine API that Weft serves, and how answers and errors look, apart from
 * any HTTP server ({@link EngineHandler} carries requests here).
 *
 * <p>Paths are taken unversioned and with any {@code /vX.Y} prefix from {@value #MIN_API_VERSION} to
 * {@value #API_VERSION}; a version outside that is refused as Docker refuses it. Every answer carries
 * {@code Api-Version: }{@value #API_VERSION}: without it the CLI would fall back to 1.24.
 *
 * <p>Errors are {@code {"message": "..."}} with Docker's status codes, the message Weft's own:
 * {@link WeftException.InvalidRequest} 400, {@link WeftException.NotFound} 404,
 * {@link WeftException.Conflict} 409 (403 when removing a network: a predefined one or one with
 * endpoints, as Docker answers), anything else 500; a route Weft does not serve is 501.
 */
final class EngineApi {
    private static final Logger LOG = LoggerFactory.getLogger(EngineApi.class);

    /**
     * The newest Engine API version whose network endpoints Weft implements in full: that of Docker
     * 28.2, whose CLI (28.2.2) then sends its requests unchanged. 1.51 and 1.52 (Docker 28.3, 29)
     * add {@code Status} to a network's inspect and other fields Weft's answer does not promise.
     */
    static final String API_VERSION = "1.50";
    /** The oldest version accepted in a path (Docker's own minimum). */
    static final String MIN_API_VERSION = "1.24";

    private static final Pattern VERSIONED = Pattern.compile("^/v([0-9]+)\\.([0-9]+)(/.*)?$");
    private static final Pattern NETWORK = Pattern.compile("^/networks/([^/]+)$");
    private static final Pattern NETWORK_ACTION = Pattern.compile("^/networks/([^/]+)/(connect|disconnect)$");
    private static final Pattern CONTAINER = Pattern.compile("^/containers/([^/]+)/json$");
    private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();

    private final NetworkRoutes networks;
    private final ContainerRoutes containers;
    private final SystemRoutes system;

    EngineApi(Controller controller, String weftVersion, String instance, Supplier<Instant> clock) {
        this.networks = new NetworkRoutes(controller, clock);
        this.containers = new ContainerRoutes(controller, clock);
        this.system = new SystemRoutes(controller, weftVersion, instance, clock);
    }

    /** Answers one request; never throws. */
    ApiResponse handle(String method, String rawPath, Map<String, java.util.List<String>> query, String body) {
        ApiResponse response;
        try {
            response = route(method, rawPath, query, body);
        } catch (ApiException e) {
            response = error(e.status(), e.getMessage());
        } catch (WeftException e) {
            response = error(status(e, method, rawPath), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Docker API: {} {} failed", method, rawPath, e);
            response = error(500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
        Map<String, String> headers = new LinkedHashMap<>(response.headers());
        headers.put("Api-Version", API_VERSION);
        return new ApiResponse(response.status(), response.contentType(), response.body(), headers);
    }

    private ApiResponse route(String method, String rawPath, Map<String, java.util.List<String>> query, String body) {
        String path = unversioned(rawPath);
        ApiRequest r = new ApiRequest(method, path, query, body);
        if (path.equals("/_ping")) {
            if (method.equals("HEAD")) {
                return new ApiResponse(200, "text/plain; charset=utf-8", new byte[0], SystemRoutes.pingHeaders());
            }
            if (method.equals("GET")) {
                return ApiResponse.text(200, "OK", SystemRoutes.pingHeaders());
            }
        }
        switch (method + " " + path) {
            case "GET /version":
                return json(200, system.version());
            case "GET /info":
                return json(200, system.info());
            case "GET /networks":
                return json(200, networks.list(r));
            case "POST /networks/create":
                return json(201, networks.create(r));
            case "POST /networks/prune":
                return json(200, networks.prune(r));
            case "GET /containers/json":
                return json(200, containers.list(r));
            default:
                break;
        }
        Matcher m = NETWORK_ACTION.matcher(path);
        if (m.matches() && method.equals("POST")) {
            if (m.group(2).equals("connect")) {
                networks.connect(r, m.group(1));
            } else {
                networks.disconnect(r, m.group(1));
            }
            return ApiResponse.empty(200);
        }
        m = NETWORK.matcher(path);
        if (m.matches()) {
            if (method.equals("GET")) {
                return json(200, networks.inspect(r, m.group(1)));
            }
            if (method.equals("DELETE")) {
                networks.remove(m.group(1));
                return ApiResponse.empty(204);
            }
        }
        m = CONTAINER.matcher(path);
        if (m.matches() && method.equals("GET")) {
            return json(200, containers.inspect(m.group(1)));
        }
        throw new ApiException(501, "this endpoint of Docker's Engine API is not implemented by Weft: " + method + " "
                + rawPath + " (Weft serves networks: /networks, and its sandboxes as containers to look up: "
                + "GET /containers/json and /containers/{id}/json)");
    }

    /** The path without its {@code /vX.Y} prefix; a version Weft does not speak is refused as Docker refuses it. */
    static String unversioned(String path) {
        Matcher m = VERSIONED.matcher(path);
        if (!m.matches()) {
            return path;
        }
        String version = m.group(1) + "." + m.group(2);
        if (compare(version, API_VERSION) > 0) {
            throw ApiException.badRequest("client version " + version + " is too new. Maximum supported API version is "
                    + API_VERSION);
        }
        if (compare(version, MIN_API_VERSION) < 0) {
            throw ApiException.badRequest("client version " + version + " is too old. Minimum supported API version is "
                    + MIN_API_VERSION + ", please upgrade your client to a newer version");
        }
        return m.group(3) == null ? "/" : m.group(3);
    }

    static int compare(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < 2; i++) {
            int c = new java.math.BigInteger(x[i]).compareTo(new java.math.BigInteger(y[i]));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Docker's status for a refusal of the controller. */
    private static int status(WeftException e, String method, String path) {
        if (e instanceof WeftException.InvalidRequest) {
            return 400;
        } else if (e instanceof WeftException.NotFound) {
            return 404;
        } else if (e instanceof WeftException.Conflict) {
            // Docker: removing a predefined network or one with active endpoints is Forbidden
            return method.equals("DELETE") && path.contains("/networks/") ? 403 : 409;
        }
        return 500;
    }

    static ApiResponse error(int status, String message) {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("message", message);
        return json(status, o);
    }

    static ApiResponse json(int status, Object value) {
        return ApiResponse.json(status, GSON.toJson(value));
    }
}

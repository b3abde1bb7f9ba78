package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.WeftException;
import dev.weft.api.docker.NetworkShapes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** Docker's {@code /networks} endpoints (Engine API 1.50) on the controller. */
final class NetworkRoutes {
    /** What {@code GET /networks} filters by (moby's {@code network.ValidateFilters}). */
    static final Set<String> LIST_FILTERS = Set.of("dangling", "driver", "id", "label", "name", "scope", "type");
    /** What {@code POST /networks/prune} filters by. */
    static final Set<String> PRUNE_FILTERS = Set.of("label", "label!", "until");

    private final Controller controller;
    private final Supplier<Instant> clock;

    NetworkRoutes(Controller controller, Supplier<Instant> clock) {
        this.controller = controller;
        this.clock = clock;
    }

    /** {@code GET /networks}: every network that passes the filters, Docker's list shape. */
    List<Object> list(ApiRequest request) {
        Filters f = Filters.parse(request.param("filters"), LIST_FILTERS);
        String dangling = f.single("dangling");
        Boolean danglingOnly = null;
        if (dangling != null) {
            danglingOnly = switch (dangling) {
                case "1", "true" -> true;
                case "0", "false" -> false;
                default -> throw ApiException.badRequest("invalid value for filter 'dangling', must be \"true\" (or \"1\"), "
                        + "or \"false\" (or \"0\")");
            };
        }
        for (String type : f.get("type")) {
            if (!type.equals("custom") && !type.equals("builtin")) {
                throw ApiException.badRequest("invalid filter: 'type'='" + type + "'; expected custom or builtin");
            }
        }
        List<Object> out = new ArrayList<>();
        for (NetworkInfo n : controller.networks()) {
            if (!f.exactMatch("driver", n.driver()) || !f.match("name", n.name()) || !f.match("id", n.id())
                    || !f.matchLabels("label", n.labels()) || !f.exactMatch("scope", n.scope())) {
                continue;
            }
            if (danglingOnly != null && danglingOnly != (!n.predefined() && n.endpoints().isEmpty())) {
                continue;
            }
            if (f.contains("type") && !f.get("type").contains(n.predefined() ? "builtin" : "custom")) {
                continue;
            }
            out.add(NetworkShapes.engineSummary(n));
        }
        return out;
    }

    /** {@code GET /networks/{id}}: by id, name or id prefix; {@code verbose} and {@code scope} as Docker. */
    Map<String, Object> inspect(ApiRequest request, String term) {
        request.flag("verbose"); // swarm services only, which Weft has not; checked as Docker checks it
        NetworkInfo n = Lookup.network(controller, term);
        String scope = request.param("scope");
        if (scope != null && !scope.isEmpty() && !scope.equals(n.scope())) {
            throw new WeftException.NotFound("network " + term + " not found in scope " + scope + " (it is "
                    + n.scope() + ")");
        }
        return NetworkShapes.engine(n);
    }

    /** {@code POST /networks/create}: 201 with the new network's id. */
    Map<String, Object> create(ApiRequest request) {
        NetworkSpec spec = NetworkRequests.create(Body.parse(request.body()), controller.drivers());
        NetworkInfo created = controller.createNetwork(spec);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Id", created.id());
        out.put("Warning", "");
        return out;
    }

    /** {@code DELETE /networks/{id}}. */
    void remove(String term) {
        NetworkInfo n = Lookup.network(controller, term);
        controller.removeNetwork(n.id());
    }

    /** {@code POST /networks/{id}/connect}. */
    void connect(ApiRequest request, String term) {
        Body body = Body.parse(request.body());
        String container = container(body);
        NetworkInfo n = Lookup.network(controller, term);
        var spec = NetworkRequests.endpoint(body.object("EndpointConfig"));
        SandboxInfo s = Lookup.sandbox(controller, container);
        controller.connect(n.id(), s.id(), spec);
    }

    /** {@code POST /networks/{id}/disconnect}. */
    void disconnect(ApiRequest request, String term) {
        Body body = Body.parse(request.body());
        String container = container(body);
        boolean force = body.bool("Force", false);
        NetworkInfo n = Lookup.network(controller, term);
        SandboxInfo s = Lookup.sandbox(controller, container);
        controller.disconnect(n.id(), s.id(), force);
    }

    private static String container(Body body) {
        String container = body.string("Container");
        if (container == null || container.isEmpty()) {
            throw ApiException.badRequest("Container: required; give the container's (sandbox's) name or id");
        }
        return container;
    }

    /**
     * {@code POST /networks/prune}: removes the user networks without endpoints that pass the filters
     * ({@code label}, {@code label!}, {@code until}); a network that gained an endpoint meanwhile is
     * kept, as Docker keeps it.
     */
    Map<String, Object> prune(ApiRequest request) {
        Filters f = Filters.parse(request.param("filters"), PRUNE_FILTERS);
        Instant until = Until.parse(f.single("until"), clock.get());
        List<String> deleted = new ArrayList<>();
        if (f.isEmpty()) {
            deleted.addAll(controller.pruneNetworks());
        } else {
            for (NetworkInfo n : controller.networks()) {
                if (n.predefined() || !n.endpoints().isEmpty() || !f.matchLabels("label", n.labels())
                        || !f.matchNoLabels("label!", n.labels())
                        || until != null && n.created() != null && !n.created().isBefore(until)) {
                    continue;
                }
                try {
                    controller.removeNetwork(n.id());
                    deleted.add(n.name());
                } catch (WeftException.Conflict | WeftException.NotFound e) {
                    // in use again, or removed by another request: not pruned
                }
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("NetworksDeleted", deleted);
        return out;
    }
}

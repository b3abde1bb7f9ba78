package dev.weft.dockerapi.internal;

import dev.weft.api.Controller;
import dev.weft.api.EndpointInfo;
import dev.weft.api.NetworkInfo;
import dev.weft.api.SandboxInfo;
import dev.weft.api.docker.ContainerShapes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Docker's container lookups, {@code GET /containers/json} and {@code GET /containers/{id}/json},
 * answered with sandboxes ({@link ContainerShapes}): what tools that find a container's network
 * settings by name need. Sandboxes are always running, so {@code all} changes nothing.
 */
final class ContainerRoutes {
    /** The filters a sandbox can answer: it has no image, volumes, health or exit code. */
    static final Set<String> LIST_FILTERS = Set.of("id", "label", "name", "network", "status");

    private final Controller controller;
    private final Supplier<Instant> clock;

    ContainerRoutes(Controller controller, Supplier<Instant> clock) {
        this.controller = controller;
        this.clock = clock;
    }

    List<Object> list(ApiRequest request) {
        request.flag("all");
        request.flag("size");
        Filters f = Filters.parse(request.param("filters"), LIST_FILTERS);
        Function<String, NetworkInfo> networks = networks();
        Instant now = clock.get();
        List<Object> out = new ArrayList<>();
        for (SandboxInfo s : controller.sandboxes()) {
            if (!f.match("id", s.id()) || !f.match("name", "/" + s.name()) || !f.matchLabels("label", Map.of())
                    || !f.exactMatch("status", ContainerShapes.STATE) || !onNetwork(f, s)) {
                continue;
            }
            out.add(ContainerShapes.summary(s, networks, now));
        }
        return out;
    }

    Map<String, Object> inspect(String term) {
        return ContainerShapes.inspect(Lookup.sandbox(controller, term), networks());
    }

    /** {@code network}: one of the sandbox's networks by name, id or id prefix (as Docker's). */
    private static boolean onNetwork(Filters f, SandboxInfo s) {
        if (!f.contains("network")) {
            return true;
        }
        for (String value : f.get("network")) {
            for (EndpointInfo e : s.endpoints()) {
                if (e.network().equals(value) || e.networkId().startsWith(value)) {
                    return true;
                }
            }
        }
        return false;
    }

    private Function<String, NetworkInfo> networks() {
        Map<String, NetworkInfo> byId = new HashMap<>();
        controller.networks().forEach(n -> byId.put(n.id(), n));
        return byId::get;
    }
}

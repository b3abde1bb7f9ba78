package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code GET /networks?filters=…} as moby filters networks (daemon/network/filter.go). */
class NetworkFiltersTest {
    final FakeController controller = new FakeController();
    final NetworkRoutes routes = new NetworkRoutes(controller, Instant::now);

    @BeforeEach
    void networks() {
        controller.networks.add(FakeController.network("1a" + "0".repeat(62), "bridge", "bridge", true, Map.of(), List.of()));
        controller.networks.add(FakeController.network("2b" + "0".repeat(62), "none", "null", true, Map.of(), List.of()));
        controller.networks.add(FakeController.network("3c" + "0".repeat(62), "frontend", "bridge", false,
                Map.of("tier", "web", "team", "a"), List.of()));
        controller.networks.add(FakeController.network("4d" + "0".repeat(62), "backend", "bridge", false,
                Map.of("tier", "db"), List.of(EngineApiTest.endpoint("db", "4d" + "0".repeat(62), "backend", "9".repeat(64)))));
        controller.networks.add(FakeController.network("5e" + "0".repeat(62), "mesh", "overlay", false, Map.of(), List.of()));
    }

    List<String> names(String filters) {
        List<String> out = new ArrayList<>();
        for (Object o : routes.list(new ApiRequest("GET", "/networks", filters == null ? Map.of()
                : Map.of("filters", List.of(filters)), ""))) {
            out.add((String) ((Map<?, ?>) o).get("Name"));
        }
        return out;
    }

    @Test
    void noFiltersListsEveryNetworkInDockersListShape() {
        assertEquals(List.of("bridge", "none", "frontend", "backend", "mesh"), names(null));
        assertEquals(List.of("bridge", "none", "frontend", "backend", "mesh"), names("{}"));
        Map<?, ?> backend = (Map<?, ?>) routes.list(new ApiRequest("GET", "/networks", Map.of(), "")).get(3);
        assertEquals(Map.of(), backend.get("Containers"), "a list does not carry containers (API >= 1.28)");
    }

    @Test
    void driverScopeAndType() {
        assertEquals(List.of("bridge", "frontend", "backend"), names("{\"driver\":{\"bridge\":true}}"));
        assertEquals(List.of("bridge", "none", "frontend", "backend"), names("{\"driver\":[\"bridge\",\"null\"]}"),
                "the array form of API < 1.22");
        assertEquals(List.of("mesh"), names("{\"scope\":{\"global\":true}}"));
        assertEquals(List.of("bridge", "none"), names("{\"type\":{\"builtin\":true}}"));
        assertEquals(List.of("frontend", "backend", "mesh"), names("{\"type\":{\"custom\":true}}"));
    }

    @Test
    void nameAndIdMatchAnyPartAsMobysMatch() {
        assertEquals(List.of("frontend", "backend"), names("{\"name\":{\"end\":true}}"));
        assertEquals(List.of("frontend"), names("{\"name\":{\"^front\":true}}"));
        assertEquals(List.of("backend"), names("{\"id\":{\"4d\":true}}"));
        assertEquals(List.of("bridge"), names("{\"id\":{\"1a00\":true}}"));
    }

    @Test
    void labelsByKeyOrKeyAndValueAllMustMatch() {
        assertEquals(List.of("frontend", "backend"), names("{\"label\":{\"tier\":true}}"));
        assertEquals(List.of("backend"), names("{\"label\":{\"tier=db\":true}}"));
        assertEquals(List.of("frontend"), names("{\"label\":{\"tier=web\":true,\"team\":true}}"));
        assertEquals(List.of(), names("{\"label\":{\"tier=db\":true,\"team\":true}}"));
    }

    @Test
    void danglingIsAUserNetworkWithoutEndpoints() {
        assertEquals(List.of("frontend", "mesh"), names("{\"dangling\":{\"true\":true}}"));
        assertEquals(List.of("frontend", "mesh"), names("{\"dangling\":{\"1\":true}}"));
        assertEquals(List.of("bridge", "none", "backend"), names("{\"dangling\":{\"false\":true}}"));
        assertEquals(List.of("bridge", "none", "backend"), names("{\"dangling\":{\"0\":true}}"));
    }

    @Test
    void badFiltersAreRefusedNamingThem() {
        assertEquals("invalid filter 'colour'", refused("{\"colour\":{\"red\":true}}"));
        assertEquals("invalid value for filter 'dangling', must be \"true\" (or \"1\"), or \"false\" (or \"0\")",
                refused("{\"dangling\":{\"maybe\":true}}"));
        assertEquals("got more than one value for filter key \"dangling\": [false, true]",
                refused("{\"dangling\":{\"true\":true,\"false\":true}}"));
        assertEquals("invalid filter: 'type'='user'; expected custom or builtin", refused("{\"type\":{\"user\":true}}"));
        assertEquals("invalid filter: filters={driver is not JSON; expected an object like {\"driver\":{\"bridge\":true}}",
                refused("{driver"));
    }

    private String refused(String filters) {
        ApiException e = assertThrows(ApiException.class, () -> names(filters));
        assertEquals(400, e.status());
        return e.getMessage();
    }

    static JsonElement json(String s) {
        return JsonParser.parseString(s);
    }
}

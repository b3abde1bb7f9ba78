package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.api.EndpointInfo;
import dev.weft.api.WeftException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Routing, versions, headers and the mapping of errors, on a fake controller (no root). */
class EngineApiTest {
    final FakeController controller = new FakeController();
    final EngineApi api = new EngineApi(controller, "0.1.0", "test", () -> Instant.parse("2026-12-08T00:00:00Z"));

    ApiResponse call(String method, String pathAndQuery, String body) {
        int q = pathAndQuery.indexOf('?');
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : pathAndQuery.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                query.computeIfAbsent(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8), k -> new ArrayList<>())
                        .add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return api.handle(method, q < 0 ? pathAndQuery : pathAndQuery.substring(0, q), query, body);
    }

    static String message(ApiResponse r) {
        return JsonParser.parseString(r.bodyText()).getAsJsonObject().get("message").getAsString();
    }

    static JsonElement json(ApiResponse r) {
        return JsonParser.parseString(r.bodyText());
    }

    @Test
    void pingAnswersHeadAndGetWithDockersHeaders() {
        for (String path : List.of("/_ping", "/v1.50/_ping", "/v1.24/_ping")) {
            ApiResponse head = call("HEAD", path, "");
            assertEquals(200, head.status());
            assertEquals(0, head.body().length);
            assertEquals("1.50", head.headers().get("Api-Version"));
            assertEquals("linux", head.headers().get("Ostype"));
            assertEquals("false", head.headers().get("Docker-Experimental"));
            ApiResponse get = call("GET", path, "");
            assertEquals("OK", get.bodyText());
            assertEquals("linux", get.headers().get("Ostype"));
        }
    }

    @Test
    void everyAnswerCarriesTheApiVersionErrorsToo() {
        for (ApiResponse r : List.of(call("GET", "/version", ""), call("GET", "/networks/nosuch", ""),
                call("POST", "/containers/create", "{}"), call("GET", "/v1.99/networks", ""))) {
            assertEquals("1.50", r.headers().get("Api-Version"), r.bodyText());
        }
    }

    @Test
    void versionsOutsideWhatWeftSpeaksAreRefusedAsDockerRefusesThem() {
        ApiResponse tooNew = call("GET", "/v1.51/networks", "");
        assertEquals(400, tooNew.status());
        assertEquals("client version 1.51 is too new. Maximum supported API version is 1.50", message(tooNew));
        ApiResponse tooOld = call("GET", "/v1.23/networks", "");
        assertEquals(400, tooOld.status());
        assertTrue(message(tooOld).startsWith("client version 1.23 is too old. Minimum supported API version is 1.24"));
        assertEquals(200, call("GET", "/v1.41/networks", "").status());
        assertEquals(200, call("GET", "/networks", "").status());
    }

    @Test
    void versionShowsWeftAndTheApiVersions() {
        JsonObject v = json(call("GET", "/v1.50/version", "")).getAsJsonObject();
        assertEquals("0.1.0", v.get("Version").getAsString());
        assertEquals("1.50", v.get("ApiVersion").getAsString());
        assertEquals("1.24", v.get("MinAPIVersion").getAsString());
        assertEquals("linux", v.get("Os").getAsString());
        assertTrue(v.getAsJsonObject("Platform").get("Name").getAsString().startsWith("Weft"));
    }

    @Test
    void infoListsTheNetworkDriversInstalledNow() {
        JsonObject info = json(call("GET", "/info", "")).getAsJsonObject();
        assertEquals(JsonParser.parseString("[\"bridge\",\"null\"]"), info.getAsJsonObject("Plugins").get("Network"),
                "overlay is remembered, not installed");
        assertEquals("linux", info.get("OSType").getAsString());
        assertEquals("inactive", info.getAsJsonObject("Swarm").get("LocalNodeState").getAsString());
        assertEquals("0.1.0", info.get("ServerVersion").getAsString());
    }

    @Test
    void whatWeftDoesNotServeIs501NamingMethodAndPath() {
        ApiResponse r = call("POST", "/v1.50/containers/create", "{}");
        assertEquals(501, r.status());
        assertTrue(message(r).contains("not implemented by Weft: POST /v1.50/containers/create"), message(r));
        assertEquals(501, call("PUT", "/networks/x", "").status());
        assertEquals(501, call("GET", "/images/json", "").status());
    }

    @Test
    void controllerRefusalsMapToDockersStatusCodesWithWeftsMessage() {
        controller.networks.add(FakeController.network(FakeController.id('1'), "bridge", "bridge", true, Map.of(), List.of()));
        controller.networks.add(FakeController.network(FakeController.id('2'), "used", "bridge", false, Map.of(),
                List.of(endpoint("x", FakeController.id('2'), "used", FakeController.id('9')))));
        ApiResponse dup = call("POST", "/networks/create", "{\"Name\":\"bridge\"}");
        assertEquals(409, dup.status());
        assertEquals("network with name bridge already exists", message(dup));
        ApiResponse predefined = call("DELETE", "/v1.50/networks/bridge", "");
        assertEquals(403, predefined.status());
        assertEquals("bridge is a pre-defined network and cannot be removed", message(predefined));
        assertEquals(403, call("DELETE", "/networks/used", "").status());
        ApiResponse missing = call("DELETE", "/networks/nosuch", "");
        assertEquals(404, missing.status());
        assertEquals("network nosuch not found", message(missing));
        controller.failure = new WeftException.InvalidRequest("network name \"a b\": bad");
        assertEquals(400, call("POST", "/networks/create", "{\"Name\":\"x\"}").status());
        controller.failure = new WeftException.Failed("the kernel said no", null);
        ApiResponse failed = call("POST", "/networks/create", "{\"Name\":\"y\"}");
        assertEquals(500, failed.status());
        assertEquals("the kernel said no", message(failed));
        controller.failure = new IllegalStateException("a bug");
        assertEquals(500, call("GET", "/networks", "").status());
    }

    @Test
    void malformedAndMistypedBodiesAre400NamingTheProblem() {
        assertTrue(message(call("POST", "/networks/create", "{\"Name\": ")).startsWith("malformed JSON in the request body"));
        assertEquals("the request body is empty; expected a JSON object", message(call("POST", "/networks/create", "")));
        assertEquals("the request body is an array; expected a JSON object", message(call("POST", "/networks/create", "[]")));
        assertEquals("Internal: expected true or false, got a string \"yes\"",
                message(call("POST", "/networks/create", "{\"Name\":\"x\",\"Internal\":\"yes\"}")));
        assertEquals("IPAM.Config[0].Subnet: expected a string, got a number 10",
                message(call("POST", "/networks/create", "{\"Name\":\"x\",\"IPAM\":{\"Config\":[{\"Subnet\":10}]}}")));
        assertEquals("Labels.a: expected a string, got a boolean true",
                message(call("POST", "/networks/create", "{\"Name\":\"x\",\"Labels\":{\"a\":true}}")));
        assertEquals(List.of(), controller.networks, "nothing was created");
    }

    @Test
    void unknownBodyFieldsAreIgnoredAndCreateAnswers201WithIdAndWarning() {
        ApiResponse r = call("POST", "/v1.50/networks/create",
                "{\"Name\":\"x\",\"SomethingNew\":{\"a\":[1,2]},\"CheckDuplicate\":true}");
        assertEquals(201, r.status());
        JsonObject o = json(r).getAsJsonObject();
        assertEquals(List.of("Id", "Warning"), new ArrayList<>(o.keySet()));
        assertEquals(FakeController.id('a'), o.get("Id").getAsString());
        assertEquals("", o.get("Warning").getAsString());
    }

    @Test
    void networksAreFoundByIdNameOrAnyUniqueIdPrefix() {
        controller.networks.add(FakeController.network("abc1" + "0".repeat(60), "one", "bridge", false, Map.of(), List.of()));
        controller.networks.add(FakeController.network("abc2" + "0".repeat(60), "two", "bridge", false, Map.of(), List.of()));
        assertEquals("one", json(call("GET", "/networks/abc1", "")).getAsJsonObject().get("Name").getAsString());
        assertEquals("two", json(call("GET", "/networks/two", "")).getAsJsonObject().get("Name").getAsString());
        ApiResponse ambiguous = call("GET", "/networks/abc", "");
        assertEquals(400, ambiguous.status());
        assertTrue(message(ambiguous).contains("network abc is ambiguous"), message(ambiguous));
        assertEquals(200, call("GET", "/networks/one?verbose=true&scope=local", "").status());
        assertEquals(404, call("GET", "/networks/one?scope=global", "").status());
        assertEquals(400, call("GET", "/networks/one?verbose=maybe", "").status());
    }

    @Test
    void connectAndDisconnectFindBothAndPassTheEndpointSettings() {
        controller.networks.add(FakeController.network(FakeController.id('1'), "blue", "bridge", false, Map.of(), List.of()));
        controller.sandboxes.add(FakeController.sandbox(FakeController.id('5'), "web", List.of()));
        ApiResponse r = call("POST", "/v1.50/networks/blue/connect", "{\"Container\":\"web\",\"EndpointConfig\":"
                + "{\"IPAMConfig\":{\"IPv4Address\":\"10.9.0.5\"},\"Links\":null,\"Aliases\":[\"www\"],\"MacAddress\":\"\","
                + "\"DriverOpts\":{},\"GwPriority\":10,\"NetworkID\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"IPAddress\":\"\","
                + "\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"DNSNames\":null}}");
        assertEquals(200, r.status(), r.bodyText());
        assertEquals(0, r.body().length);
        assertEquals("connect " + FakeController.id('1') + " " + FakeController.id('5'), controller.calls.get(controller.calls.size() - 1));
        assertEquals("10.9.0.5", controller.connected.ipv4().getHostAddress());
        assertEquals(List.of("www"), controller.connected.aliases());
        assertEquals(10, controller.connected.gwPriority());
        assertEquals(200, call("POST", "/networks/blue/disconnect", "{\"Container\":\"555555\",\"Force\":true}").status());
        assertEquals("disconnect " + FakeController.id('1') + " " + FakeController.id('5') + " true",
                controller.calls.get(controller.calls.size() - 1));
        ApiResponse noSuch = call("POST", "/networks/blue/connect", "{\"Container\":\"nosuch\"}");
        assertEquals(404, noSuch.status());
        assertEquals("No such container: nosuch", message(noSuch));
        assertEquals("Container: required; give the container's (sandbox's) name or id",
                message(call("POST", "/networks/blue/disconnect", "{}")));
    }

    @Test
    void pruneRemovesUnusedUserNetworksMatchingTheFilters() {
        controller.networks.add(FakeController.network(FakeController.id('1'), "bridge", "bridge", true, Map.of(), List.of()));
        controller.networks.add(FakeController.network(FakeController.id('2'), "keep", "bridge", false, Map.of("k", "1"), List.of()));
        controller.networks.add(FakeController.network(FakeController.id('3'), "drop", "bridge", false, Map.of("k", "2"), List.of()));
        ApiResponse r = call("POST", "/networks/prune?filters=" + "{\"label\":{\"k=2\":true}}", "");
        assertEquals(JsonParser.parseString("{\"NetworksDeleted\":[\"drop\"]}"), json(r));
        assertEquals(JsonParser.parseString("{\"NetworksDeleted\":[]}"),
                json(call("POST", "/networks/prune?filters={\"label!\":{\"k\":true}}", "")));
        assertEquals(JsonParser.parseString("{\"NetworksDeleted\":[]}"),
                json(call("POST", "/networks/prune?filters={\"until\":{\"2026-11-01T00:00:00Z\":true}}", "")),
                "created after until");
        assertEquals(JsonParser.parseString("{\"NetworksDeleted\":[\"keep\"]}"), json(call("POST", "/networks/prune", "")));
        assertEquals("invalid filter 'driver'",
                message(call("POST", "/networks/prune?filters={\"driver\":{\"bridge\":true}}", "")));
        assertTrue(message(call("POST", "/networks/prune?filters={\"until\":{\"yesterday\":true}}", ""))
                .startsWith("filter until=yesterday: expected a duration like 24h"));
    }

    @Test
    void containersAreSandboxesFoundByNameOrIdPrefix() {
        controller.networks.add(FakeController.network(FakeController.id('1'), "blue", "bridge", false, Map.of(), List.of()));
        controller.sandboxes.add(FakeController.sandbox(FakeController.id('5'), "web",
                List.of(endpoint("web", FakeController.id('1'), "blue", FakeController.id('5')))));
        controller.sandboxes.add(FakeController.sandbox(FakeController.id('6'), "db", List.of()));
        for (String term : List.of("web", "5555", FakeController.id('5'))) {
            JsonObject c = json(call("GET", "/v1.50/containers/" + term + "/json", "")).getAsJsonObject();
            assertEquals("/web", c.get("Name").getAsString(), term);
            assertEquals("/run/netns/web", c.getAsJsonObject("NetworkSettings").get("SandboxKey").getAsString());
        }
        assertEquals("No such container: nosuch", message(call("GET", "/containers/nosuch/json", "")));
        JsonArray all = json(call("GET", "/containers/json?all=1", "")).getAsJsonArray();
        assertEquals(2, all.size());
        JsonArray onBlue = json(call("GET", "/containers/json?filters={\"network\":{\"blue\":true}}", "")).getAsJsonArray();
        assertEquals(1, onBlue.size());
        assertEquals("[\"/web\"]", onBlue.get(0).getAsJsonObject().get("Names").toString());
        assertEquals(1, json(call("GET", "/containers/json?filters={\"name\":{\"db\":true}}", "")).getAsJsonArray().size());
        assertEquals(1, json(call("GET", "/containers/json?filters={\"id\":{\"6666\":true}}", "")).getAsJsonArray().size());
        assertEquals("invalid filter 'ancestor'",
                message(call("GET", "/containers/json?filters={\"ancestor\":{\"alpine\":true}}", "")));
    }

    static EndpointInfo endpoint(String sandbox, String networkId, String network, String sandboxId) {
        return new EndpointInfo("e".repeat(64), network, networkId, sandbox, sandboxId, "eth0",
                dev.weft.net.MacAddress.parse("02:42:0a:09:00:05"), dev.weft.net.InterfaceAddress.parse("10.9.0.5/24"),
                null, List.of(), List.of());
    }
}

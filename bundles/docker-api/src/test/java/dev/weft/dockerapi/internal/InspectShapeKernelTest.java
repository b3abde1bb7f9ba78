package dev.weft.dockerapi.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.weft.testkit.KernelTest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code docker network inspect} of a Weft network compared field by field with Docker's own shape:
 * the fixture {@code docker-network-inspect.json}, written from moby v28.2.2's types and swagger
 * example (see the fixture's README), never from Weft's output. Every field Docker has, in Docker's
 * order, with Docker's JSON type, and no other field; in maps keyed by ids or by the user
 * (containers, options, labels) every entry has the shape of the fixture's entries.
 */
@ExtendWith(KernelTest.class)
class InspectShapeKernelTest extends DockerCliFixture.PerTest {
    /** Objects whose keys are data (ids, option and label names), not field names. */
    private static final Set<String> MAPS = Set.of("$.Containers", "$.Options", "$.Labels", "$.IPAM.Options",
            "$.IPAM.Config[].AuxiliaryAddresses");

    @Test
    void networkInspectHasDockersShape() throws IOException {
        f.ok("network", "create", "--subnet", "10.68.0.0/24", "--ip-range", "10.68.0.128/25", "--gateway", "10.68.0.1",
                "--aux-address", "router=10.68.0.254", "--label", "com.example.some-label=x",
                "-o", "com.docker.network.bridge.enable_icc=true", "shaped");
        f.sandbox("a", "shaped");
        JsonArray out = JsonParser.parseString(f.ok("network", "inspect", "shaped")).getAsJsonArray();
        assertEquals(1, out.size());
        JsonElement expected;
        try (InputStream in = getClass().getResourceAsStream("/docker-network-inspect.json")) {
            expected = JsonParser.parseString(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
        List<String> differences = new ArrayList<>();
        compare("$", expected, out.get(0), differences);
        assertEquals(List.of(), differences);
        assertFalse(out.get(0).getAsJsonObject().getAsJsonObject("Containers").isEmpty(), "a container to compare");
    }

    private static void compare(String path, JsonElement expected, JsonElement actual, List<String> differences) {
        if (!type(expected).equals(type(actual))) {
            differences.add(path + ": Docker has " + type(expected) + " " + expected + ", Weft " + type(actual) + " " + actual);
            return;
        }
        if (expected.isJsonObject()) {
            JsonObject e = expected.getAsJsonObject();
            JsonObject a = actual.getAsJsonObject();
            if (MAPS.contains(path)) {
                JsonElement sample = e.entrySet().iterator().next().getValue();
                for (Map.Entry<String, JsonElement> entry : a.entrySet()) {
                    compare(path + "[" + entry.getKey() + "]", sample, entry.getValue(), differences);
                }
                return;
            }
            if (!new ArrayList<>(e.keySet()).equals(new ArrayList<>(a.keySet()))) {
                differences.add(path + ": Docker's fields " + e.keySet() + ", Weft's " + a.keySet());
            }
            for (String key : e.keySet()) {
                if (a.has(key)) {
                    compare(path + "." + key, e.get(key), a.get(key), differences);
                }
            }
        } else if (expected.isJsonArray()) {
            JsonElement sample = expected.getAsJsonArray().get(0);
            for (JsonElement element : actual.getAsJsonArray()) {
                compare(path + "[]", sample, element, differences);
            }
        }
    }

    private static String type(JsonElement e) {
        if (e.isJsonObject()) {
            return "an object";
        } else if (e.isJsonArray()) {
            return "an array";
        } else if (e.isJsonNull()) {
            return "null";
        }
        return e.getAsJsonPrimitive().isBoolean() ? "a boolean" : e.getAsJsonPrimitive().isNumber() ? "a number" : "a string";
    }
}

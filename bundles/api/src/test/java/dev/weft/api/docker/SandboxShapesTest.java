package dev.weft.api.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.api.EndpointInfo;
import dev.weft.api.SandboxInfo;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sandbox:inspect}'s endpoint: {@code DriverInfo} only when the driver said something. */
class SandboxShapesTest {
    private static final EndpointInfo EP = ContainerShapesTest.WEB.endpoints().get(0);

    @SuppressWarnings("unchecked")
    private static Map<String, Object> endpoint(EndpointInfo e) {
        SandboxInfo s = ContainerShapesTest.WEB;
        SandboxInfo with = new SandboxInfo(s.id(), s.name(), s.namespace(), s.mode(), s.created(), List.of(e),
                s.networkMode(), s.sharedBy(), s.hostname(), s.dns(), s.links());
        return (Map<String, Object>) ((List<Object>) SandboxShapes.inspect(with, Map.of()).get("Endpoints")).get(0);
    }

    @Test
    void anEndpointWithoutDriverInfoHasNoSuchKey() {
        Map<String, Object> o = endpoint(EP);
        assertFalse(o.containsKey("DriverInfo"), o.toString());
        assertEquals("Ports", new ArrayList<>(o.keySet()).get(o.size() - 1), "the shape before 0.10.0 ends with Ports");
    }

    @Test
    void driverInfoComesLastWithSortedKeysAndItsValuesAsText() {
        Map<String, String> info = new LinkedHashMap<>();
        info.put("Mtu", "1500");
        info.put("HostVeth", "ph0123456789");
        info.put("Bridge", "{\"Name\":\"pb1\",\"Up\":true}");
        Map<String, Object> o = endpoint(EP.withDriverInfo(info));
        assertEquals("DriverInfo", new ArrayList<>(o.keySet()).get(o.size() - 1), o.keySet().toString());
        Map<?, ?> shown = (Map<?, ?>) o.get("DriverInfo");
        assertEquals(List.of("Bridge", "HostVeth", "Mtu"), new ArrayList<>(shown.keySet()), "sorted, as Go writes a map");
        assertEquals(info, shown);
        assertEquals(EP, EP.withDriverInfo(info).withDriverInfo(Map.of()), "withDriverInfo changes nothing else");
    }
}

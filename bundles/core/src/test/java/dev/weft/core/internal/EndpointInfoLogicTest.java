package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxInfo;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.net.IpPrefix;
import dev.weft.spi.EndpointConfig;
import dev.weft.spi.EndpointOperationalInfo;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.NetworkDriver;
import dev.weft.spi.SandboxConfig;
import dev.weft.spi.Scope;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A driver's run-time info about its endpoints ({@link EndpointOperationalInfo}) through the whole
 * controller without root ({@link FakeHostSystem}): asked only by one sandbox's inspect, for the
 * endpoints of drivers that have it, with the endpoint's config; never by listings, network views,
 * creates or connects; a driver that fails or is away leaves the endpoint without info and the
 * inspect intact.
 */
class EndpointInfoLogicTest {
    private Path dir;
    private DriverRegistry drivers;
    private Informing informing;
    private FakeDriver plain;
    private ControllerImpl controller;

    /** A driver that says the endpoint's interface and a count, and records each time it is asked. */
    static final class Informing implements NetworkDriver<Map<String, String>>, EndpointOperationalInfo<Map<String, String>> {
        final List<String> asked = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        @Override
        public Scope scope() {
            return Scope.LOCAL;
        }

        @Override
        public Map<String, String> parseOptions(Map<String, String> options) {
            return options;
        }

        @Override
        public void createNetwork(NetworkConfig network, Map<String, String> options) {}

        @Override
        public void deleteNetwork(NetworkConfig network, Map<String, String> options) {}

        @Override
        public JoinInfo join(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                             SandboxConfig sandbox) {
            return new JoinInfo(endpoint.interfaceName(), null);
        }

        @Override
        public void leave(NetworkConfig network, Map<String, String> options, EndpointConfig endpoint,
                          SandboxConfig sandbox) {}

        @Override
        public Map<String, String> endpointInfo(NetworkConfig network, Map<String, String> options,
                                                EndpointConfig endpoint) {
            asked.add(network.name() + " " + endpoint.interfaceName());
            if (failure != null) {
                throw failure;
            }
            Map<String, String> info = new LinkedHashMap<>();
            info.put("Interface", endpoint.interfaceName());
            info.put("Color", options.getOrDefault("color", ""));
            info.put("Asked", String.valueOf(asked.size()));
            return info;
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("weft-endpoint-info-test-");
        drivers = new DriverRegistry();
        informing = new Informing();
        plain = new FakeDriver(true);
        drivers.add("info", "test.info", "1.0.0", informing, "info");
        drivers.add("plain", "test.plain", "1.0.0", plain, "plain");
        controller = FakeRuntime.start(dir, new FakeHostSystem(dir), drivers, new IpamRegistry(),
                IpPrefix.parse("fd42:7:7::/48"));
        controller.createNetwork(new NetworkSpec("told", "info", List.of(SubnetSpec.of(IpPrefix.parse("10.73.0.0/24"))),
                false, false, Map.of("color", "teal"), Map.of()));
        controller.createNetwork(new NetworkSpec("quiet", "plain", List.of(SubnetSpec.of(IpPrefix.parse("10.74.0.0/24"))),
                false, false, Map.of(), Map.of()));
    }

    @AfterEach
    void tearDown() throws IOException {
        FakeRuntime.stop(controller, dir);
    }

    private static EndpointInfo on(SandboxInfo s, String network) {
        return s.endpoints().stream().filter(e -> e.network().equals(network)).findFirst()
                .orElseThrow(() -> new AssertionError(s.name() + " has no endpoint on " + network + ": " + s.endpoints()));
    }

    /** Sandbox a on told (eth0) and quiet (eth1), made without asking the driver anything. */
    private void sandboxOnBoth() {
        SandboxInfo created = controller.createSandbox(new SandboxSpec("a", "told", EndpointSpec.defaults(), null));
        EndpointInfo joined = controller.connect("quiet", "a", EndpointSpec.defaults());
        assertEquals(Map.of(), on(created, "told").driverInfo(), "a create's answer has no driver info");
        assertEquals(Map.of(), joined.driverInfo(), "a connect's answer has no driver info");
        assertEquals(List.of(), informing.asked, "neither create nor connect asks the driver");
    }

    @Test
    void oneSandboxsInspectAsksTheDriverOfEachEndpointThatCanSay() {
        sandboxOnBoth();
        SandboxInfo a = controller.sandbox("a").orElseThrow();
        assertEquals(List.of("told eth0"), informing.asked, "asked once, for the endpoint on its network, with its config");
        assertEquals(List.of("Interface", "Color", "Asked"), List.copyOf(on(a, "told").driverInfo().keySet()),
                "in the driver's order");
        assertEquals(Map.of("Interface", "eth0", "Color", "teal", "Asked", "1"), on(a, "told").driverInfo(),
                "with the network's parsed options");
        assertEquals(Map.of(), on(a, "quiet").driverInfo(), "a driver without the capability has no info");
        assertEquals("2", controller.sandbox(a.id()).orElseThrow().endpoints().get(0).driverInfo().get("Asked"),
                "asked again by id, at each inspect (nothing cached)");
    }

    @Test
    void listingsNetworkViewsAndTheListedSandboxNeverAskIt() {
        sandboxOnBoth();
        List<SandboxInfo> all = controller.sandboxes();
        controller.listedSandbox("a").orElseThrow().endpoints().forEach(e ->
                assertEquals(Map.of(), e.driverInfo(), "listedSandbox shows " + e));
        controller.networks();
        controller.network("told").orElseThrow().endpoints().forEach(e ->
                assertEquals(Map.of(), e.driverInfo(), "a network's view shows " + e));
        all.forEach(s -> s.endpoints().forEach(e -> assertEquals(Map.of(), e.driverInfo(), "the listing shows " + e)));
        assertEquals(List.of(), informing.asked, "no listing or view asked the driver");
        controller.removeSandbox("a");
        assertEquals(List.of(), informing.asked, "nor did the removal");
    }

    @Test
    void aDriverThatFailsOrIsAwayLeavesTheEndpointWithoutInfoAndTheInspectWhole() {
        sandboxOnBoth();
        informing.failure = new IllegalStateException("endpoint unknown to the plugin");
        SandboxInfo failed = controller.sandbox("a").orElseThrow();
        assertEquals(1, informing.asked.size(), informing.asked.toString());
        assertEquals(2, failed.endpoints().size(), "both endpoints shown: " + failed.endpoints());
        assertEquals(Map.of(), on(failed, "told").driverInfo());
        assertEquals("10.73.0.2/24", on(failed, "told").ipv4().toString(), "the rest of the endpoint as always");

        informing.failure = null;
        drivers.remove("info");
        SandboxInfo away = controller.sandbox("a").orElseThrow();
        assertEquals(1, informing.asked.size(), "a driver that is away is not asked: " + informing.asked);
        assertEquals(Map.of(), on(away, "told").driverInfo());
        drivers.add("info", "test.info", "1.0.0", informing, "info");
        assertTrue(on(controller.sandbox("a").orElseThrow(), "told").driverInfo().containsKey("Interface"),
                "asked again once it is back");
    }
}

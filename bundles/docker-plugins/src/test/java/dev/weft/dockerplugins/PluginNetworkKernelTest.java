package dev.weft.dockerplugins;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetInfo;
import dev.weft.net.IpAddresses;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker plugins written in Python (plugin.py: a bridge per network, a veth pair per endpoint, an
 * IPAM of in-order addresses) become Weft drivers while their sockets are there, serve a network
 * that carries traffic between two sandboxes, and vanish with their sockets.
 */
@ExtendWith(KernelTest.class)
class PluginNetworkKernelTest {
    private static final Duration APPEAR = Duration.ofSeconds(5);

    @Test
    void pluginsAppearServeANetworkAndVanishWithTheirSockets() throws Exception {
        try (PluginFixture f = new PluginFixture()) {
            assertFalse(f.driverListed("netplug"));
            f.startPlugin("ipamplug", "ipam");
            f.startPlugin("netplug", "net", "--load");
            PluginFixture.await("netplug and ipamplug listed as drivers", APPEAR,
                    () -> f.driverListed("netplug") && f.ipamListed("ipamplug"));

            NetworkInfo net = f.controller().createNetwork(new NetworkSpec("pnet", "netplug", List.of(), false, false,
                    Map.of("color", "blue"), Map.of(), "ipamplug", Map.of()));
            SubnetInfo subnet = net.subnets().get(0);
            assertEquals("10.123.0.0/24", subnet.subnet().toString(), "the IPAM plugin's first pool");
            assertEquals("10.123.0.1", IpAddresses.format(subnet.gateway()), "the gateway the IPAM plugin picked");
            JsonObject created = f.stateOf("netplug").getAsJsonObject("networks").getAsJsonObject(net.id())
                    .getAsJsonObject("request");
            assertEquals("{\"color\":\"blue\"}", created.getAsJsonObject("Options")
                    .get("com.docker.network.generic").toString(), created.toString());
            JsonObject v4 = created.getAsJsonArray("IPv4Data").get(0).getAsJsonObject();
            assertEquals("plocal", v4.get("AddressSpace").getAsString(), created.toString());
            assertEquals("10.123.0.0/24", v4.get("Pool").getAsString(), created.toString());
            assertEquals("10.123.0.1/24", v4.get("Gateway").getAsString(), created.toString());
            List<String> linksWithNetwork = f.hostLinks();

            TestSandbox a = f.sandbox("a", "pnet");
            TestSandbox b = f.sandbox("b", "pnet");
            String ipA = f.ipv4(a, "pnet"), ipB = f.ipv4(b, "pnet");
            assertEquals("10.123.0.2", ipA);
            assertEquals("10.123.0.3", ipB);
            try (TcpListener l = b.listenTcp(8080)) {
                a.connectTcp(ipB, 8080);
                assertEquals(ipA, l.awaitConnection(Duration.ofSeconds(5)), "b sees a's connection from a's address");
            }
            try (TcpListener l = a.listenTcp(8081)) {
                b.connectTcp(ipA, 8081);
                assertEquals(ipB, l.awaitConnection(Duration.ofSeconds(5)));
            }

            // the plugin's interface, moved in under Weft's name, with the MAC the plugin chose in CreateEndpoint,
            // the default route through the plugin's gateway and its connected static route
            String eidA = f.endpoint(a, "pnet").id();
            String macA = f.stateOf("netplug").getAsJsonObject("endpoints").getAsJsonObject(eidA).get("mac").getAsString();
            String link = a.ip("-o", "link", "show", "eth0");
            assertTrue(link.contains("link/ether " + macA), link);
            assertTrue(link.contains("alias weft:test:" + net.id() + "/" + eidA + "/pc" + eidA.substring(0, 10)), link);
            String routes = a.ip("route");
            assertTrue(routes.contains("default via 10.123.0.1 dev eth0"), routes);
            assertTrue(routes.contains("10.250.0.0/24 dev eth0"), routes);
            assertFalse(f.hostLinks().contains("pc" + eidA.substring(0, 10)), "the sandbox end is no longer on the host");

            // leave: the interface goes back to the host before Leave, the plugin deletes it in DeleteEndpoint
            f.controller().removeSandbox(a.name());
            f.runtime.awaitRemovals();
            JsonObject endpoints = f.stateOf("netplug").getAsJsonObject("endpoints");
            assertFalse(endpoints.has(eidA), endpoints.toString());
            assertTrue(leftWithInterfaceBack(f, eidA), "at Leave the plugin found its interface back in the host "
                    + "namespace: " + f.stateOf("netplug").get("calls"));
            assertEquals(List.of("10.123.0.1", "10.123.0.3"), f.leases("ipamplug").get("10.123.0.0/24"));
            List<String> withB = f.hostLinks();
            assertFalse(withB.contains("ph" + eidA.substring(0, 10)), withB.toString());

            // the plugins go with their sockets: drivers gone, the network stays, unavailable; b keeps its traffic
            f.stopPlugin("netplug");
            f.stopPlugin("ipamplug");
            PluginFixture.await("netplug and ipamplug gone", APPEAR,
                    () -> !f.driverListed("netplug") && !f.ipamListed("ipamplug"));
            assertFalse(f.controller().network("pnet").orElseThrow().available(), "pnet is reported unavailable");
            try (TcpListener l = f.host.listenTcp(8082)) {
                b.connectTcp("10.123.0.1", 8082);
                assertEquals(ipB, l.awaitConnection(Duration.ofSeconds(5)), "b still reaches the gateway on the host");
            }

            // they come back (the network plugin with its state): the network is served again and can be removed
            f.startPlugin("ipamplug", "ipam");
            f.startPlugin("netplug", "net", "--load");
            PluginFixture.await("netplug and ipamplug back", APPEAR,
                    () -> f.driverListed("netplug") && f.ipamListed("ipamplug"));
            assertTrue(f.controller().network("pnet").orElseThrow().available());
            f.controller().removeSandbox(b.name());
            f.runtime.awaitRemovals();
            f.controller().removeNetwork("pnet");
            assertTrue(f.stateOf("netplug").getAsJsonObject("networks").isEmpty(), f.stateOf("netplug").toString());
            assertTrue(f.leases("ipamplug").isEmpty(), f.leases("ipamplug").toString());
            List<String> after = f.hostLinks();
            assertFalse(after.contains("pb" + net.id().substring(0, 10)), after.toString());
            assertEquals(linksWithNetwork.stream().filter(l -> !l.startsWith("pb")).toList(), after,
                    "the host namespace has the links it had before the network");
        }
    }

    @Test
    void aTcpPluginOnLoopbackIsReachedInTheInstancesHostNamespace() throws Exception {
        try (PluginFixture f = new PluginFixture()) {
            f.startTcpPlugin("tcpplug", 9321, "both");
            PluginFixture.await("tcpplug listed as network and IPAM driver", APPEAR,
                    () -> f.driverListed("tcpplug") && f.ipamListed("tcpplug"));
            f.controller().createNetwork(new NetworkSpec("tnet", "tcpplug", List.of(), false, false, Map.of(), Map.of(),
                    "tcpplug", Map.of()));
            TestSandbox a = f.sandbox("a", "tnet");
            TestSandbox b = f.sandbox("b", "tnet");
            String ipB = f.ipv4(b, "tnet");
            try (TcpListener l = b.listenTcp(8080)) {
                a.connectTcp(ipB, 8080);
                assertEquals(f.ipv4(a, "tnet"), l.awaitConnection(Duration.ofSeconds(5)));
            }
            f.controller().removeSandbox(a.name());
            f.controller().removeSandbox(b.name());
            f.runtime.awaitRemovals();
            f.controller().removeNetwork("tnet");
            assertTrue(f.leases("tcpplug").isEmpty(), f.leases("tcpplug").toString());
            f.stopPlugin("tcpplug");
            PluginFixture.await("tcpplug gone with its spec file", APPEAR, () -> !f.driverListed("tcpplug"));
        }
    }

    @Test
    void publishedPortsReachThePluginAsDockersPortMap() throws Exception {
        try (PluginFixture f = new PluginFixture()) {
            f.startPlugin("netplug", "net");
            PluginFixture.await("netplug listed", APPEAR, () -> f.driverListed("netplug"));
            f.controller().createNetwork(new NetworkSpec("ports", "netplug", List.of(new dev.weft.api.SubnetSpec(
                    dev.weft.net.IpPrefix.parse("10.124.0.0/24"), null, null, Map.of())), false, false, Map.of(), Map.of()));
            f.controller().createSandbox(new dev.weft.api.SandboxSpec(f.host.namespaceName("p"), "ports",
                    new dev.weft.api.EndpointSpec(null, null, List.of(), List.of(dev.weft.api.PortSpec.parse("18080:80/tcp")),
                            0), null));
            TestSandbox p = f.host.adopt("p");
            String eid = f.endpoint(p, "ports").id();
            JsonObject program = lastCall(f, "NetworkDriver.ProgramExternalConnectivity");
            assertEquals(eid, program.get("EndpointID").getAsString());
            assertEquals(com.google.gson.JsonParser.parseString("[{\"Proto\":6,\"IP\":\"10.124.0.2\",\"Port\":80,"
                    + "\"HostIP\":\"\",\"HostPort\":18080,\"HostPortEnd\":18080}]"),
                    program.getAsJsonObject("Options").get("com.docker.network.portmap"), program.toString());
            assertEquals(com.google.gson.JsonParser.parseString("[{\"Proto\":6,\"Port\":80}]"),
                    program.getAsJsonObject("Options").get("com.docker.network.endpoint.exposedports"));
            f.controller().removeSandbox(p.name());
            f.runtime.awaitRemovals();
            assertEquals(eid, lastCall(f, "NetworkDriver.RevokeExternalConnectivity").get("EndpointID").getAsString());
            f.controller().removeNetwork("ports");
        }
    }

    /**
     * Docker's {@code EndpointOperInfo}: one sandbox's inspect shows the plugin's answer as the
     * endpoint's driver info (and {@code sandbox:inspect}'s {@code DriverInfo}); listings, network
     * views, creates and connects never ask it.
     */
    @Test
    void anInspectShowsWhatThePluginSaysOfTheEndpointAndNothingElseAsksIt() throws Exception {
        try (PluginFixture f = new PluginFixture()) {
            f.startPlugin("netplug", "net");
            PluginFixture.await("netplug listed", APPEAR, () -> f.driverListed("netplug"));
            NetworkInfo net = f.controller().createNetwork(new NetworkSpec("oper", "netplug", List.of(
                    new dev.weft.api.SubnetSpec(dev.weft.net.IpPrefix.parse("10.125.0.0/24"), null, null, Map.of())),
                    false, false, Map.of(), Map.of()));
            TestSandbox a = f.sandbox("a", "oper");
            f.controller().sandboxes();
            f.controller().listedSandbox(a.name());
            f.controller().networks();
            f.controller().network("oper");
            assertEquals(0, calls(f, "netplug", "NetworkDriver.EndpointOperInfo"), "asked before any inspect: "
                    + f.stateOf("netplug").get("calls"));

            dev.weft.api.SandboxInfo inspected = f.controller().sandbox(a.name()).orElseThrow();
            dev.weft.api.EndpointInfo e = inspected.endpoints().get(0);
            assertEquals(1, calls(f, "netplug", "NetworkDriver.EndpointOperInfo"), f.stateOf("netplug").get("calls").toString());
            JsonObject asked = lastCall(f, "NetworkDriver.EndpointOperInfo");
            assertEquals(net.id(), asked.get("NetworkID").getAsString());
            assertEquals(e.id(), asked.get("EndpointID").getAsString());
            String hostVeth = "ph" + e.id().substring(0, 10);
            assertEquals(Map.of("HostVeth", hostVeth, "Mtu", "1500",
                    "Bridge", "{\"Name\":\"pb" + net.id().substring(0, 10) + "\",\"Up\":true}"), e.driverInfo(),
                    "strings as themselves, other values as compact JSON");
            assertTrue(f.hostLinks().contains(hostVeth), "the plugin's HostVeth is its veth on the host: " + f.hostLinks());
            Object shown = ((Map<?, ?>) ((List<?>) dev.weft.api.docker.SandboxShapes.inspect(inspected, Map.of())
                    .get("Endpoints")).get(0)).get("DriverInfo");
            assertEquals(e.driverInfo(), shown, "sandbox:inspect shows it as DriverInfo");

            f.controller().sandboxes();
            f.controller().network("oper");
            assertEquals(1, calls(f, "netplug", "NetworkDriver.EndpointOperInfo"), "a listing asked it");
            f.controller().removeSandbox(a.name());
            f.runtime.awaitRemovals();
            f.controller().removeNetwork("oper");
            assertEquals(1, calls(f, "netplug", "NetworkDriver.EndpointOperInfo"), "the removal asked it");
        }
    }

    /**
     * A plugin that hangs on {@code EndpointOperInfo} costs an inspect at most its bound (the plugin
     * timeout here, 1.5 s, under the 5 s cap), and the inspect shows the endpoint without info.
     */
    @Test
    void aPluginThatHangsOnEndpointOperInfoLeavesTheInspectWithoutInfoWithinItsBound() throws Exception {
        try (PluginFixture f = new PluginFixture()) {
            f.startPlugin("netplug", "net", "--hang", "NetworkDriver.EndpointOperInfo");
            PluginFixture.await("netplug listed", APPEAR, () -> f.driverListed("netplug"));
            f.controller().createNetwork(new NetworkSpec("slow", "netplug", List.of(
                    new dev.weft.api.SubnetSpec(dev.weft.net.IpPrefix.parse("10.126.0.0/24"), null, null, Map.of())),
                    false, false, Map.of(), Map.of()));
            TestSandbox a = f.sandbox("a", "slow");
            long start = System.nanoTime();
            dev.weft.api.SandboxInfo inspected = f.controller().sandbox(a.name()).orElseThrow();
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(ms < PluginFixture.TIMEOUT.toMillis() + 1000, "the inspect took " + ms + " ms");
            assertEquals(1, calls(f, "netplug", "NetworkDriver.EndpointOperInfo"), "the plugin was asked (and hung)");
            assertEquals(Map.of(), inspected.endpoints().get(0).driverInfo());
            assertEquals("10.126.0.2/24", inspected.endpoints().get(0).ipv4().toString(), "the endpoint otherwise whole");
            f.controller().sandboxes();
            assertEquals(1, calls(f, "netplug", "NetworkDriver.EndpointOperInfo"), "a listing asked it");
            f.controller().removeSandbox(a.name());
            f.runtime.awaitRemovals();
            f.controller().removeNetwork("slow");
        }
    }

    private static int calls(PluginFixture f, String plugin, String call) {
        int n = 0;
        for (var c : f.stateOf(plugin).getAsJsonArray("calls")) {
            n += c.getAsJsonArray().get(0).getAsString().equals(call) ? 1 : 0;
        }
        return n;
    }

    private static JsonObject lastCall(PluginFixture f, String call) {
        JsonObject last = null;
        for (var c : f.stateOf("netplug").getAsJsonArray("calls")) {
            if (c.getAsJsonArray().get(0).getAsString().equals(call)) {
                last = c.getAsJsonArray().get(1).getAsJsonObject();
            }
        }
        assertTrue(last != null, call + " was never made: " + f.stateOf("netplug").get("calls"));
        return last;
    }

    /** Whether the plugin's Leave call for the endpoint found its sandbox end in the host namespace. */
    private static boolean leftWithInterfaceBack(PluginFixture f, String eid) {
        JsonObject leaves = f.stateOf("netplug").getAsJsonObject("leaves");
        return leaves != null && leaves.has(eid) && leaves.get(eid).getAsBoolean();
    }
}

package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's gw-priority on the bridge driver ({@code DefaultRoutes}), proven with traffic to an
 * "outside" namespace reached only through the host, NATed: the default route moves to a network
 * connected with a higher priority (egress keeps working with the first network's bridge down),
 * stays where it is across a restart, and comes back to the first network when the second one
 * is disconnected.
 */
@ExtendWith(KernelTest.class)
class GatewayPriorityKernelTest extends BridgeFixture.PerTest {
    private static final String LAN = "10.99.7.2";
    private int port = 8000;

    /** The sandbox connects to the outside; returns its source address (the outside sees the host's). */
    private String egress(TestSandbox sandbox, TestSandbox lan) {
        int p = ++port;
        try (TcpListener l = lan.listenTcp(p); TcpConnection c = sandbox.connectTcp(LAN, p)) {
            assertEquals("10.99.7.1", c.peerSeenBy(l), "masqueraded to the host's address");
            return c.localAddress();
        }
    }

    private List<String> defaultRouteGivers(TestSandbox sandbox) {
        return f.controller().sandbox(sandbox.name()).orElseThrow().endpoints().stream()
                .filter(EndpointInfo::defaultRoute4).map(EndpointInfo::network).toList();
    }

    @Test
    void theDefaultRouteFollowsTheGatewayPriorityAcrossConnectRestartAndDisconnect() throws Exception {
        NetworkInfo one = f.network("one", "10.97.1.0/24", Map.of());
        f.network("two", "10.97.2.0/24", Map.of());
        f.network("three", "10.97.3.0/24", Map.of());
        String bridgeOne = "br-" + one.id().substring(0, 12);
        TestSandbox lan = f.host.outside("lan", "10.99.7.1/24", LAN + "/24");
        TestSandbox a = f.sandbox("a", "one");
        assertEquals(f.ipv4(a, "one"), egress(a, lan), "the first network gives the default route");

        f.controller().connect("two", a.name(), EndpointSpec.defaults().withGwPriority(5));
        assertEquals(List.of("two"), defaultRouteGivers(a));
        String routes = a.ip("-4", "route", "show", "default");
        assertEquals("default via 10.97.2.1 dev eth1", routes.strip(), routes);
        assertEquals(f.ipv4(a, "two"), egress(a, lan));

        f.restart(); // the records keep the choice; a tie (5) does not take it
        f.controller().connect("three", a.name(), EndpointSpec.defaults().withGwPriority(5));
        assertEquals(List.of("two"), defaultRouteGivers(a));
        assertEquals(5, f.endpoint(a, "three").gwPriority());
        assertEquals(f.ipv4(a, "two"), egress(a, lan));
        f.controller().disconnect("three", a.name(), false);

        f.host.ip("link", "set", bridgeOne, "down"); // the first network's gateway is dead now
        assertEquals(f.ipv4(a, "two"), egress(a, lan), "egress does not need the first network");

        f.controller().disconnect("two", a.name(), false); // back to the first network, the only one left
        assertEquals(List.of("one"), defaultRouteGivers(a));
        routes = a.ip("-4", "route", "show", "default");
        assertEquals("default via 10.97.1.1 dev eth0", routes.strip(), routes);
        try (TcpListener l = lan.listenTcp(++port)) {
            assertFalse(a.canConnectTcp(LAN, port, Duration.ofSeconds(1)), "its bridge is still down: no way out");
        }
        f.host.ip("link", "set", bridgeOne, "up");
        assertEquals(f.ipv4(a, "one"), egress(a, lan));
        f.controller().removeSandbox(a.name());
    }

    @Test
    void ipv4AndIpv6DefaultRoutesAreChosenSeparately() throws Exception {
        f.network("four", List.of("10.97.4.0/24"), false, false, Map.of());
        f.network("dual", List.of("10.97.5.0/24", "fd00:97:5::/64"), true, false, Map.of());
        TestSandbox lan = f.host.outside("lan", "10.99.7.1/24", LAN + "/24");
        lan.addAddress("eth0", "fd00:99:7::2/64");
        String hostEnd = f.host.ip("-o", "-4", "addr", "show", "to", "10.99.7.1").strip().split("\\s+")[1];
        f.host.addAddress(hostEnd, "fd00:99:7::1/64");
        TestSandbox b = f.sandbox("b", "four");
        f.controller().connect("dual", b.name(), EndpointSpec.defaults().withGwPriority(-3));

        EndpointInfo four = f.endpoint(b, "four"), dual = f.endpoint(b, "dual");
        assertTrue(four.defaultRoute4() && !four.defaultRoute6(), "IPv4 stays with the higher priority: " + four);
        assertTrue(!dual.defaultRoute4() && dual.defaultRoute6(), "IPv6 goes to the only one that has it: " + dual);
        assertEquals(f.ipv4(b, "four"), egress(b, lan));
        int p = ++port;
        try (TcpListener l = lan.listenTcp(p); TcpConnection c = b.connectTcp("fd00:99:7::2", p)) {
            assertEquals(f.ipv6(b, "dual"), c.localAddress());
            assertEquals("fd00:99:7::1", c.peerSeenBy(l), "IPv6 masqueraded too");
        }
        f.controller().disconnect("four", b.name(), false);
        dual = f.endpoint(b, "dual");
        assertTrue(dual.defaultRoute4() && dual.defaultRoute6(), dual.toString());
        assertEquals(f.ipv4(b, "dual"), egress(b, lan));
    }
}

package dev.weft.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SandboxSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Which of a sandbox's endpoints gives its default routes (Docker's gw-priority), on the test
 * bridge driver, proven with traffic: the host namespace has an address on its loopback that no
 * subnet covers ({@value #OUT4}, {@value #OUT6}), so a sandbox reaches it only through its default
 * route, and the listener sees the sandbox's address on the network that gives it.
 */
@ExtendWith(KernelTest.class)
class GatewayPriorityKernelTest extends ControllerFixture.PerTest {
    private static final String OUT4 = "192.0.2.10";
    private static final String OUT6 = "fd00:ff::10";
    private final AtomicInteger ports = new AtomicInteger(7000);

    @BeforeEach
    void setUp() throws Exception {
        f.host.ip("addr", "add", OUT4 + "/32", "dev", "lo");
        f.host.ip("addr", "add", OUT6 + "/128", "dev", "lo", "nodad");
    }

    private void network(String name, String... subnets) {
        f.controller.createNetwork(new NetworkSpec(name, "testbridge", Arrays.stream(subnets)
                .map(s -> SubnetSpec.of(IpPrefix.parse(s))).toList(), subnets.length > 1, false, Map.of(), Map.of()));
    }

    private TestSandbox sandbox(String shortName, String network, int gwPriority) {
        TestSandbox t = f.host.adopt(shortName);
        f.controller.createSandbox(new SandboxSpec(t.name(), network, EndpointSpec.defaults().withGwPriority(gwPriority),
                null));
        return t;
    }

    private void connect(String network, TestSandbox t, int gwPriority) {
        f.controller.connect(network, t.name(), EndpointSpec.defaults().withGwPriority(gwPriority));
    }

    private EndpointInfo endpoint(TestSandbox t, String network) {
        return f.controller.sandbox(t.name()).orElseThrow().endpoints().stream().filter(e -> e.network().equals(network))
                .findFirst().orElseThrow();
    }

    private String address(TestSandbox t, String network, boolean v4) {
        EndpointInfo e = endpoint(t, network);
        return IpAddresses.format((v4 ? e.ipv4() : e.ipv6()).address());
    }

    /** The source address the host sees when the sandbox connects out through its default route. */
    private String egress(TestSandbox t, boolean v4) {
        String target = v4 ? OUT4 : OUT6;
        int port = ports.incrementAndGet();
        try (TcpListener l = f.host.listenTcp(target, port); TcpConnection c = t.connectTcp(target, port)) {
            return c.peerSeenBy(l);
        }
    }

    /** The networks whose endpoint gives the sandbox its default route of the family, as the API says. */
    private List<String> givers(TestSandbox t, boolean v4) {
        return f.controller.sandbox(t.name()).orElseThrow().endpoints().stream()
                .filter(e -> v4 ? e.defaultRoute4() : e.defaultRoute6()).map(EndpointInfo::network).toList();
    }

    private void assertGives(TestSandbox t, String network, boolean v4) {
        assertEquals(List.of(network), givers(t, v4));
        assertEquals(address(t, network, v4), egress(t, v4), "egress through " + network);
        String routes = t.ip(v4 ? "-4" : "-6", "route", "show", "default");
        assertEquals(1, routes.strip().lines().count(), "one default route: " + routes);
    }

    @Test
    void theHighestPriorityGivesTheDefaultRouteATieKeepsTheFirstAndNegativeRanksLast() {
        network("n1", "10.61.1.0/24");
        network("n2", "10.61.2.0/24");
        network("n3", "10.61.3.0/24");
        network("n4", "10.61.4.0/24");
        TestSandbox a = sandbox("a", "n1", 0);
        assertGives(a, "n1", true);

        connect("n2", a, 0); // a tie: the one connected first keeps it
        connect("n3", a, -1);
        assertGives(a, "n1", true);
        assertEquals(List.of(), f.testBridge.defaultRouteCalls, "nothing moved");

        connect("n4", a, 1);
        assertGives(a, "n4", true);
        assertEquals(List.of("n1 false false"), f.testBridge.defaultRouteCalls, "taken off n1 before n4 joined");
        assertTrue(a.ip("route").contains("default via 10.61.4.1"), a.ip("route"));

        f.restart(); // the records keep who gives it and the priorities
        assertEquals(List.of("n4"), givers(a, true));
        assertEquals(1, endpoint(a, "n4").gwPriority());
        assertEquals(-1, endpoint(a, "n3").gwPriority());
        network("n5", "10.61.5.0/24");
        connect("n5", a, 1); // a tie again
        assertGives(a, "n4", true);

        f.controller.disconnect("n4", a.name(), false); // the best left: n5, 1
        assertGives(a, "n5", true);
        f.controller.disconnect("n5", a.name(), false); // n1 and n2 have 0: n1 was connected first
        assertGives(a, "n1", true);
        f.controller.disconnect("n1", a.name(), false);
        assertGives(a, "n2", true);
        f.controller.disconnect("n2", a.name(), false);
        assertGives(a, "n3", true); // negative, but the only one left
        f.controller.removeSandbox(a.name());
    }

    @Test
    void ipv4AndIpv6AreChosenSeparately() {
        network("four", "10.62.1.0/24");
        network("dual", "10.62.2.0/24", "fd00:62:2::/64");
        network("dual2", "10.62.3.0/24", "fd00:62:3::/64");
        TestSandbox b = sandbox("b", "four", 10);
        assertGives(b, "four", true);
        assertEquals(List.of(), givers(b, false));

        connect("dual", b, 0); // IPv4 stays (10 > 0); IPv6 had no giver
        assertGives(b, "four", true);
        assertGives(b, "dual", false);

        connect("dual2", b, 5); // IPv4 stays (10 > 5); IPv6 moves (5 > 0)
        assertGives(b, "four", true);
        assertGives(b, "dual2", false);
        assertEquals(List.of("dual false false"), f.testBridge.defaultRouteCalls);

        f.controller.disconnect("four", b.name(), false); // IPv4 to dual2 (5) rather than dual (0)
        assertGives(b, "dual2", true);
        assertGives(b, "dual2", false);
        assertEquals(List.of("dual false false", "four false false", "dual2 true true"), f.testBridge.defaultRouteCalls,
                "taken off dual; four's taken out before its leave, then both given to dual2 at once");
    }

    @Test
    void aDriverThatCannotMoveRoutesKeepsThemAndAFailedMoveOrConnectChangesNothing() {
        // "plain": the test bridge's plumbing without the DefaultRoutes capability
        f.drivers.add("plain", "test.plain", "1.0.0", new DelegatingDriver(f.testBridge), "plain");
        f.controller.createNetwork(new NetworkSpec("p1", "plain", List.of(SubnetSpec.of(IpPrefix.parse("10.63.1.0/24"))),
                false, false, Map.of(), Map.of()));
        network("t1", "10.63.2.0/24");
        network("t2", "10.63.3.0/24");
        network("t3", "10.63.4.0/24");

        TestSandbox c = sandbox("c", "p1", 0);
        connect("t1", c, 5); // p1's driver cannot take its route out: it keeps it, t1 joins without
        assertGives(c, "p1", true);
        f.controller.disconnect("p1", c.name(), false); // the route goes with p1's interface; t1 gets it
        assertGives(c, "t1", true);

        f.testBridge.refuseDefaultRoutes.add("t1"); // its driver fails to move t1's route: t1 keeps it
        connect("t2", c, 9);
        assertGives(c, "t1", true);
        assertEquals(List.of("t1 true false", "t1 false false", "t1 true false"), f.testBridge.defaultRouteCalls,
                "given to t1, then the failed removal, then put back");
        f.testBridge.refuseDefaultRoutes.clear();

        // a connect that fails after the move (eth2 is taken in the namespace): the route goes back
        c.ip("link", "add", "eth2", "type", "veth", "peer", "name", "other2");
        assertThrows(RuntimeException.class, () -> connect("t3", c, 20));
        assertGives(c, "t1", true);
        assertFalse(givers(c, true).contains("t3"));
        assertTrue(f.controller.sandbox(c.name()).orElseThrow().endpoints().stream().noneMatch(e -> e.network().equals("t3")));
        assertEquals(List.of("t1 false false", "t1 true false"), f.testBridge.defaultRouteCalls.subList(3, 5));

        // the giver leaves and the next one's driver fails to add it: the sandbox has none (logged) ...
        f.testBridge.refuseDefaultRoutes.add("t2");
        f.controller.disconnect("t1", c.name(), false);
        assertEquals(List.of(), givers(c, true));
        assertEquals("", c.ip("-4", "route", "show", "default").strip());
        // ... until the driver comes back (here: a restart), and its restore is followed by a fill
        f.restart();
        assertGives(c, "t2", true);
    }
}

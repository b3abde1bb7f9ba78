package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.WeftException;
import dev.weft.linux.Route;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * netavark 2's routing options on the bridge ({@link RoutingOptions}), read back from the sandbox's
 * routing table through the kernel layer and proven with traffic: {@code metric} on the default
 * routes, {@code route} to a prefix behind a router namespace on the bridge (the host has no route
 * there, so only the static route reaches it), gone with the interface and back after a restart
 * that re-plumbs it; {@code no_default_route} (another network's gateway gives the default route);
 * {@code vrf} and route gateways refused with nothing changed.
 */
@ExtendWith(KernelTest.class)
class NetavarkRoutingKernelTest extends BridgeFixture.PerTest {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final String LAN = "10.99.8.2";
    private int port = 9000;

    /** The sandbox's routes of the family, as the kernel has them. */
    private List<Route> routes(TestSandbox sandbox, int family) {
        return f.runtime.kernel().inNamespace(NetNamespace.at(sandbox.name(), sandbox.path()), rt -> rt.routes(family));
    }

    private List<Route> defaultRoutes(TestSandbox sandbox, int family) {
        return routes(sandbox, family).stream().filter(r -> r.destination().isDefault()).toList();
    }

    private Optional<Route> routeTo(TestSandbox sandbox, String prefix) {
        IpPrefix p = IpPrefix.parse(prefix);
        return routes(sandbox, p.isIpv4() ? AF_INET : AF_INET6).stream().filter(r -> r.destination().equals(p)).findFirst();
    }

    private int sandboxIndex(TestSandbox sandbox, String ifname) {
        return f.runtime.kernel().inNamespace(NetNamespace.at(sandbox.name(), sandbox.path()), rt -> rt.index(ifname));
    }

    private String bridge(NetworkInfo n) {
        return "br-" + n.id().substring(0, 12);
    }

    /**
     * A router on the network's bridge (a namespace whose eth0 is a port of it, {@code 10.98.2.254}
     * and {@code fd00:98:2::fe}) holding the prefixes {@code 10.200.0.0/24} and {@code fd00:200::/64}
     * on its loopback. The host has no route to them: a sandbox reaches them only through a route
     * via the router.
     */
    private TestSandbox router(NetworkInfo n) {
        TestSandbox router = f.host.sandbox("router");
        f.host.link("wtrt0", null, router, "eth0", "10.98.2.254/24");
        router.addAddress("eth0", "fd00:98:2::fe/64");
        f.host.ip("link", "set", "wtrt0", "master", bridge(n));
        router.addAddress("lo", "10.200.0.1/24");
        router.addAddress("lo", "fd00:200::1/64");
        return router;
    }

    /** The sandbox connects to {@code address} in {@code to}; returns the source address seen there. */
    private String reach(TestSandbox from, TestSandbox to, String address) {
        int p = ++port;
        try (TcpListener l = to.listenTcp(p); TcpConnection c = from.connectTcp(address, p)) {
            return c.peerSeenBy(l);
        }
    }

    @Test
    void metricAndStaticRoutesAreInTheSandboxCarryTrafficGoWithTheInterfaceAndComeBackAtRestore() throws Exception {
        NetworkInfo n = f.network("r", List.of("10.98.2.0/24", "fd00:98:2::/64"), true, false, Map.of("metric", "700",
                "route", "10.200.0.0/24,10.98.2.254;fd00:200::/64,fd00:98:2::fe,50"));
        assertEquals("10.200.0.0/24,10.98.2.254;fd00:200::/64,fd00:98:2::fe,50",
                f.controller().network("r").orElseThrow().options().get("route"), "options are kept as given");
        TestSandbox router = router(n);
        TestSandbox a = f.sandbox("a", "r");
        int eth0 = sandboxIndex(a, "eth0");

        assertEquals(List.of(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddresses.parse("10.98.2.1"), eth0, false, 700)),
                defaultRoutes(a, AF_INET));
        assertEquals(List.of(new Route(IpPrefix.parse("::/0"), IpAddresses.parse("fd00:98:2::1"), eth0, false, 700)),
                defaultRoutes(a, AF_INET6));
        assertEquals(new Route(IpPrefix.parse("10.200.0.0/24"), IpAddresses.parse("10.98.2.254"), eth0, false, 0),
                routeTo(a, "10.200.0.0/24").orElseThrow());
        assertEquals(new Route(IpPrefix.parse("fd00:200::/64"), IpAddresses.parse("fd00:98:2::fe"), eth0, false, 50),
                routeTo(a, "fd00:200::/64").orElseThrow());
        assertEquals(f.ipv4(a, "r"), reach(a, router, "10.200.0.1"), "through the router, not NATed by the host");
        assertEquals(f.ipv6(a, "r"), reach(a, router, "fd00:200::1"));

        // the IPv4 default route moves to a network of higher priority and back (DefaultRoutes), with its metric
        f.network("other", "10.98.12.0/24", Map.of());
        f.controller().connect("other", a.name(), EndpointSpec.defaults().withGwPriority(5));
        assertEquals(List.of(Route.defaultVia(IpAddresses.parse("10.98.12.1"), sandboxIndex(a, "eth1"))),
                defaultRoutes(a, AF_INET), "r's metric-700 route taken out");
        assertEquals(700, defaultRoutes(a, AF_INET6).get(0).metric(), "r keeps IPv6: other has none");
        f.controller().disconnect("other", a.name(), false);
        assertEquals(List.of(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddresses.parse("10.98.2.1"), eth0, false, 700)),
                defaultRoutes(a, AF_INET), "given back to r with its metric");

        // kill -9, the veth lost meanwhile: restore plumbs it in again, with the routes and the metric
        String hostEnd = f.endpointHostEnd(a, "r");
        f.stop();
        f.host.ip("link", "del", hostEnd);
        assertEquals("", a.ip("route", "show", "10.200.0.0/24").strip(), "gone with the interface");
        f.start();
        eth0 = sandboxIndex(a, "eth0");
        assertEquals(List.of(new Route(IpPrefix.parse("0.0.0.0/0"), IpAddresses.parse("10.98.2.1"), eth0, false, 700)),
                defaultRoutes(a, AF_INET));
        assertEquals(50, routeTo(a, "fd00:200::/64").orElseThrow().metric());
        assertEquals(f.ipv4(a, "r"), reach(a, router, "10.200.0.1"), "after the restore");
        assertEquals(f.ipv6(a, "r"), reach(a, router, "fd00:200::1"));

        f.controller().disconnect("r", a.name(), false);
        f.driver.drain();
        int lo = sandboxIndex(a, "lo");
        assertEquals(List.of(), routes(a, 0).stream().filter(r -> r.device() != lo).toList(),
                "no route is left in the sandbox but loopback's");
    }

    @Test
    void aNetworkWithNoDefaultRouteGivesNoneAndAnotherNetworksGatewayGivesIt() throws Exception {
        f.network("quiet", List.of("10.98.3.0/24", "fd00:98:3::/64"), true, false, Map.of("no_default_route", "true"));
        f.network("loud", List.of("10.98.4.0/24", "fd00:98:4::/64"), true, false, Map.of());
        TestSandbox lan = f.host.outside("lan", "10.99.8.1/24", LAN + "/24");
        f.controller().createSandbox(new dev.weft.api.SandboxSpec(f.host.namespaceName("b"), "quiet",
                EndpointSpec.defaults().withGwPriority(100), null));
        TestSandbox b = f.host.adopt("b");
        assertEquals(List.of(), defaultRoutes(b, 0), "no default route from quiet, whatever its priority");
        try (TcpListener l = lan.listenTcp(++port)) {
            assertFalse(b.canConnectTcp(LAN, port, Duration.ofSeconds(1)), "no way out");
        }

        f.controller().connect("loud", b.name(), EndpointSpec.defaults().withGwPriority(-1));
        int eth1 = sandboxIndex(b, "eth1");
        assertEquals(List.of(Route.defaultVia(IpAddresses.parse("10.98.4.1"), eth1)), defaultRoutes(b, AF_INET));
        assertEquals(List.of(Route.defaultVia(IpAddresses.parse("fd00:98:4::1"), eth1).withMetric(1024)),
                defaultRoutes(b, AF_INET6));
        EndpointInfo quiet = f.endpoint(b, "quiet");
        assertFalse(quiet.defaultRoute4() || quiet.defaultRoute6(), quiet.toString());
        assertEquals("10.99.8.1", reach(b, lan, LAN), "out through loud's gateway, masqueraded");

        f.restart(); // the network's record keeps it: with loud gone, quiet does not give the default route
        f.controller().disconnect("loud", b.name(), false);
        assertEquals(List.of(), defaultRoutes(b, 0), "quiet does not take it over");
    }

    @Test
    void vrfAndStaticRouteGatewaysAreRefusedWithNothingChanged() {
        f.host.ip("link", "add", "wtnotvrf0", "type", "bridge"); // this kernel has neither vrf nor dummy links
        String ns = f.runtime.kernel().hostNamespace().toString();
        assertRefused(spec("v1", List.of("10.98.5.0/24"), false, Map.of("vrf", "wtvrf0")), "network \"v1\": option "
                + "vrf=\"wtvrf0\" is not valid: no link named \"wtvrf0\" exists in the host namespace " + ns + "; expected "
                + "the name of an existing VRF device (create it first, e.g. ip link add wtvrf0 type vrf table 10; the "
                + "kernel needs VRF support, CONFIG_NET_VRF), or drop vrf");
        assertRefused(spec("v2", List.of("10.98.5.0/24"), false, Map.of("vrf", "wtnotvrf0")), "network \"v2\": option "
                + "vrf=\"wtnotvrf0\" is not valid: the link \"wtnotvrf0\" in the host namespace " + ns + " is a bridge, "
                + "not a VRF; expected the name of an existing VRF device");
        assertRefused(spec("g1", List.of("10.98.5.0/24"), false, Map.of("route", "10.9.0.0/24,10.98.6.1")),
                "network \"g1\": option route=\"10.9.0.0/24,10.98.6.1\" is not valid: its gateway 10.98.6.1 is in none "
                        + "of the network's IPv4 subnets [10.98.5.0/24]; expected a gateway inside one of them, which the "
                        + "sandboxes reach on this network");
        assertRefused(spec("g2", List.of("10.98.5.0/24"), false, Map.of("route", "fd00:9::/64,fd00:98:5::9")),
                "network \"g2\": option route=\"fd00:9::/64,fd00:98:5::9\" is not valid: it is an IPv6 route and the "
                        + "network has no IPv6; add --ipv6 or drop the route");
        // no IPv6 subnet given: checked once IPAM chose it, before any change, and the subnets are free again
        String refused = assertRefused(spec("g3", List.of("10.98.5.0/24"), true, Map.of("route", "fd00:9::/64,fd00:98:5::9")),
                null);
        assertTrue(refused.startsWith("network \"g3\": option route=\"fd00:9::/64,fd00:98:5::9\" is not valid: its "
                + "gateway fd00:98:5::9 is in none of the network's IPv6 subnets ["), refused);
        f.network("g3", List.of("10.98.5.0/24"), false, false, Map.of()); // its subnet was given back
    }

    private NetworkSpec spec(String name, List<String> subnets, boolean ipv6, Map<String, String> options) {
        return new NetworkSpec(name, BridgeDriver.NAME, subnets.stream()
                .map(s -> dev.weft.api.SubnetSpec.of(IpPrefix.parse(s))).toList(), ipv6, false, options, Map.of());
    }

    /** Refused with {@code message} (null: any), and no network, bridge or firewall chain made. */
    private String assertRefused(NetworkSpec spec, String message) {
        String linksBefore = f.host.ip("-o", "link", "show");
        String rulesBefore = f.nft("list", "ruleset");
        var e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(spec));
        if (message != null) {
            assertEquals(message, e.getMessage());
        }
        assertTrue(f.controller().network(spec.name()).isEmpty());
        assertEquals(linksBefore, f.host.ip("-o", "link", "show"), "no link made");
        assertEquals(rulesBefore, f.nft("list", "ruleset"), "no firewall change");
        return e.getMessage();
    }
}

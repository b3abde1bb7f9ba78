package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.WeftException;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.Tools;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker 28's gateway modes and trusted interfaces, and netavark's isolate and outbound
 * addresses, proven by traffic from "outside" namespaces that route to the networks' subnets
 * through the host (the LAN at 10.99.0.0/24, the host at 10.99.0.1).
 */
@ExtendWith(KernelTest.class)
class GatewayModeKernelTest extends BridgeFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final Duration REACHABLE = Duration.ofSeconds(5);

    /** The LAN namespace, routing the 10.81/16 subnets through the host. */
    private TestSandbox lan() {
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        lan.ip("route", "add", "10.81.0.0/16", "via", "10.99.0.1");
        return lan;
    }

    /** {@link #lan()} with IPv6 too: the host at fd00:99::1, routing fd00:81::/32 through it. */
    private TestSandbox dualStackLan() {
        TestSandbox lan = lan();
        f.host.ip("-6", "addr", "add", "fd00:99::1/64", "dev", hostLink("10.99.0.1"), "nodad");
        lan.ip("-6", "addr", "add", "fd00:99::2/64", "dev", "eth0", "nodad");
        lan.ip("-6", "route", "add", "fd00:81::/32", "via", "fd00:99::1");
        return lan;
    }

    @Test
    void routedOpensThePublishedPortAtTheSandboxsOwnAddressAndNothingElse() throws Exception {
        TestSandbox lan = lan();
        f.network("rt", "10.81.1.0/24", Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "routed"));
        TestSandbox web = f.sandbox("web", "rt", "8080:80");
        String ip = f.ipv4(web, "rt");
        try (TcpListener published = web.listenTcp(80); TcpListener unpublished = web.listenTcp(81)) {
            assertTrue(lan.canConnectTcp(ip, 80, REACHABLE), "routed: the published port at the sandbox's address");
            assertFalse(lan.canConnectTcp(ip, 81, SHORT), "routed: an unpublished port");
            assertFalse(lan.canConnectTcp("10.99.0.1", 8080, SHORT), "routed: no DNAT from the host port");
            assertTrue(published.port() > 0 && unpublished.port() > 0);
        }
        assertEquals("[80/tcp]", f.endpoint(web, "rt").ports().toString(), "routed: no host port recorded");
        try (TcpListener hostsOwn = f.host.listenTcp(8080)) {
            assertTrue(hostsOwn.port() == 8080, "routed: the host port stays free for the host");
        }
        f.restart(); // as after kill -9: the opening comes back from the record, with no host port to take
        try (TcpListener published = web.listenTcp(80)) {
            assertTrue(lan.canConnectTcp(ip, 80, REACHABLE), "routed, after a restart: the published port");
            assertTrue(published.port() > 0);
        }
        Tools.require("ping");
        assertTrue(lan.tryExec("ping", "-c", "1", "-W", "2", ip).succeeded(), "routed: ICMP passes");
        try (TcpListener l = lan.listenTcp(9000)) {
            assertEquals(ip, web.connectTcp("10.99.0.2", 9000).peerSeenBy(l), "routed: no masquerade on the way out");
        }
    }

    @Test
    void routedIpv6BesideNatIpv4() throws Exception {
        TestSandbox lan = dualStackLan();
        f.network("dual", List.of("10.81.2.0/24", "fd00:81:2::/64"), true, false,
                Map.of(BridgeOptions.GATEWAY_MODE_IPV6, "routed"));
        TestSandbox web = f.sandbox("web", "dual", "8080:80");
        String ip6 = f.ipv6(web, "dual");
        try (TcpListener published = web.listenTcp("::", 80); TcpListener unpublished = web.listenTcp("::", 81)) {
            assertTrue(lan.canConnectTcp(ip6, 80, REACHABLE), "IPv6 routed: the published port at the sandbox's address");
            assertFalse(lan.canConnectTcp(ip6, 81, SHORT), "IPv6 routed: an unpublished port");
            assertTrue(lan.canConnectTcp("10.99.0.1", 8080, REACHABLE), "IPv4 nat: DNAT from the host port");
            assertFalse(lan.canConnectTcp(f.ipv4(web, "dual"), 80, SHORT), "IPv4 nat: no direct access");
            assertTrue(published.port() > 0 && unpublished.port() > 0);
        }
        try (TcpListener l = lan.listenTcp("::", 9000)) {
            assertEquals(ip6, web.connectTcp("fd00:99::2", 9000).peerSeenBy(l), "IPv6 routed: not masqueraded");
        }
    }

    @Test
    void natIpv6MasqueradesAndKeepsDirectAccessOut() throws Exception {
        TestSandbox lan = dualStackLan();
        f.network("nat6", List.of("10.81.18.0/24", "fd00:81:18::/64"), true, false, Map.of());
        TestSandbox web = f.sandbox("web", "nat6", "8080:80");
        try (TcpListener l = lan.listenTcp("::", 9000)) {
            assertEquals("fd00:99::1", web.connectTcp("fd00:99::2", 9000).peerSeenBy(l), "IPv6 nat: masqueraded");
        }
        try (TcpListener published = web.listenTcp("::", 80)) {
            assertTrue(lan.canConnectTcp("fd00:99::1", 8080, REACHABLE), "IPv6 nat: DNAT from the host's IPv6 address");
            assertFalse(lan.canConnectTcp(f.ipv6(web, "nat6"), 80, SHORT), "IPv6 nat: no direct routed access");
            assertTrue(published.port() > 0);
        }
    }

    @Test
    void natUnprotectedLetsRoutedTrafficReachEveryPort() throws Exception {
        TestSandbox lan = lan();
        f.network("open", "10.81.3.0/24", Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "nat-unprotected"));
        f.network("guarded", "10.81.4.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "open");
        TestSandbox b = f.sandbox("b", "guarded", "8080:80");
        try (TcpListener la = a.listenTcp(81); TcpListener lb = b.listenTcp(80); TcpListener lb2 = b.listenTcp(81)) {
            assertTrue(lan.canConnectTcp(f.ipv4(a, "open"), 81, REACHABLE), "nat-unprotected: an unpublished port");
            assertFalse(lan.canConnectTcp(f.ipv4(b, "guarded"), 81, SHORT), "nat: an unpublished port (Docker 28)");
            assertFalse(lan.canConnectTcp(f.ipv4(b, "guarded"), 80, SHORT), "nat: a published port, directly");
            assertTrue(lan.canConnectTcp("10.99.0.1", 8080, REACHABLE), "nat: the published port through the host");
            assertFalse(b.canConnectTcp(f.ipv4(a, "open"), 81, SHORT), "another network is no outside: still isolated");
            assertTrue(la.port() > 0 && lb.port() > 0 && lb2.port() > 0);
        }
        try (TcpListener l = lan.listenTcp(9000)) {
            assertEquals("10.99.0.1", a.connectTcp("10.99.0.2", 9000).peerSeenBy(l), "nat-unprotected masquerades");
        }
    }

    @Test
    void aTrustedInterfaceReachesPublishedPortsAtTheSandboxsAddressOnlyFromThere() throws Exception {
        TestSandbox lan = lan();
        TestSandbox trusted = f.host.outside("trus", "10.98.0.1/24", "10.98.0.2/24");
        trusted.ip("route", "add", "10.81.0.0/16", "via", "10.98.0.1");
        f.network("tr", "10.81.5.0/24", Map.of(BridgeOptions.TRUSTED_HOST_INTERFACES, hostLink("10.98.0.1")));
        TestSandbox web = f.sandbox("web", "tr", "8080:80");
        String ip = f.ipv4(web, "tr");
        try (TcpListener published = web.listenTcp(80); TcpListener unpublished = web.listenTcp(81)) {
            assertTrue(trusted.canConnectTcp(ip, 80, REACHABLE), "trusted interface: the published port directly");
            assertFalse(trusted.canConnectTcp(ip, 81, SHORT), "trusted interface: an unpublished port");
            assertFalse(lan.canConnectTcp(ip, 80, SHORT), "another interface: the published port directly");
            assertTrue(lan.canConnectTcp("10.99.0.1", 8080, REACHABLE), "another interface: through the host port");
            assertTrue(published.port() > 0 && unpublished.port() > 0);
        }
    }

    @Test
    void isolatedGivesTheHostNoAddressAndPointToPointSubnetsWork() throws Exception {
        f.network("iso", List.of("10.81.6.0/31"), false, true, Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "isolated"));
        f.network("one", List.of("10.81.7.5/32"), false, true, Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "isolated"));
        TestSandbox a = f.sandbox("a", "iso");
        TestSandbox b = f.sandbox("b", "iso");
        TestSandbox c = f.sandbox("c", "one");
        assertEquals(List.of("10.81.6.0", "10.81.6.1"), List.of(f.ipv4(a, "iso"), f.ipv4(b, "iso")), "a /31 gives both addresses");
        assertEquals("10.81.7.5", f.ipv4(c, "one"), "a /32 gives its one address");
        for (String network : List.of("iso", "one")) {
            String bridge = "br-" + f.controller().network(network).orElseThrow().id().substring(0, 12);
            assertEquals("", f.host.ip("-o", "addr", "show", "dev", bridge).strip(), "no address of the host on " + bridge);
        }
        assertFalse(a.ip("route").contains("default"), a.ip("route"));
        try (TcpListener lb = b.listenTcp(80)) {
            assertTrue(a.canConnectTcp("10.81.6.1", 80, REACHABLE), "the two ends of the /31 talk");
            assertFalse(f.host.canConnectTcp("10.81.6.1", 80, SHORT), "the host reaches nothing on an isolated network");
            assertTrue(lb.port() > 0);
        }
    }

    @Test
    void isolatedWithoutInternalOrWithAGatewayIsRefusedAndChangesNothing() throws Exception {
        String links = f.host.ip("-o", "link");
        var e = assertThrows(WeftException.InvalidRequest.class, () -> f.network("iso", "10.81.8.0/24",
                Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "isolated")));
        assertTrue(e.getMessage().contains("network \"iso\": com.docker.network.bridge.gateway_mode_ipv4=isolated needs "
                + "--internal"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.network("tiny", List.of("10.81.8.0/31"), false, true,
                Map.of()));
        assertTrue(e.getMessage().contains("is too small for a network with a gateway"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(
                new dev.weft.api.NetworkSpec("gw", BridgeDriver.NAME, List.of(new dev.weft.api.SubnetSpec(
                        dev.weft.net.IpPrefix.parse("10.81.9.0/24"), null, dev.weft.net.IpAddresses.parse("10.81.9.1"),
                        Map.of())), false, true, Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "isolated"), Map.of())));
        assertTrue(e.getMessage().contains("gateway 10.81.9.1 was given for subnet 10.81.9.0/24, but the network's driver "
                + "options give the host no address on it"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.network("v6", "10.81.10.0/24",
                Map.of(BridgeOptions.GATEWAY_MODE_IPV6, "routed")));
        assertTrue(e.getMessage().contains("gateway_mode_ipv6=routed applies to IPv6, and the network has none"),
                e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(
                new dev.weft.api.NetworkSpec("six", BridgeDriver.NAME, List.of(), true, false,
                        Map.of(BridgeOptions.HOST_BINDING_IPV4, "127.0.0.1"), Map.of()).withIpv4(false)));
        assertTrue(e.getMessage().contains("network \"six\": com.docker.network.bridge.host_binding_ipv4=127.0.0.1 applies "
                + "to IPv4, and the network is IPv6-only (--ipv4=false)"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(
                new dev.weft.api.NetworkSpec("six", BridgeDriver.NAME, List.of(), true, false,
                        Map.of(BridgeOptions.GATEWAY_MODE_IPV4, "routed"), Map.of()).withIpv4(false)));
        assertTrue(e.getMessage().contains("gateway_mode_ipv4=routed applies to IPv4"), e.getMessage());
        assertTrue(f.controller().networks().isEmpty(), "no network left");
        assertEquals(links, f.host.ip("-o", "link"), "no link left");
    }

    @Test
    void strictIsolationKeepsEvenPublishedPortsOfOtherNetworksAway() throws Exception {
        lan();
        f.network("strict", "10.81.11.0/24", Map.of(BridgeOptions.ISOLATE, "strict"));
        f.network("web", "10.81.12.0/24", Map.of());
        f.network("other", "10.81.13.0/24", Map.of());
        TestSandbox s = f.sandbox("s", "strict", "8081:80");
        TestSandbox w = f.sandbox("w", "web", "8080:80");
        TestSandbox o = f.sandbox("o", "other");
        try (TcpListener lw = w.listenTcp(80); TcpListener ls = s.listenTcp(80)) {
            // netavark 2.1 #709: another network reaches a published port through the host's address
            assertTrue(o.canConnectTcp("10.99.0.1", 8080, REACHABLE), "another network -> published port via the host");
            assertFalse(s.canConnectTcp("10.99.0.1", 8080, SHORT), "isolate=strict -> another network's published port");
            assertFalse(o.canConnectTcp("10.99.0.1", 8081, SHORT), "another network -> isolate=strict's published port");
            assertTrue(s.canConnectTcp(f.ipv4(s, "strict"), 80, REACHABLE), "its own sandbox");
            assertTrue(lw.port() > 0 && ls.port() > 0);
        }
    }

    @Test
    void isolateFalseNetworksReachEachOther() throws Exception {
        f.network("a", "10.81.14.0/24", Map.of(BridgeOptions.ISOLATE, "false"));
        f.network("b", "10.81.15.0/24", Map.of(BridgeOptions.ISOLATE, "false"));
        f.network("c", "10.81.16.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "a");
        TestSandbox b = f.sandbox("b", "b");
        TestSandbox c = f.sandbox("c", "c");
        try (TcpListener lb = b.listenTcp(80); TcpListener la = a.listenTcp(80)) {
            assertTrue(a.canConnectTcp(f.ipv4(b, "b"), 80, REACHABLE), "isolate=false -> isolate=false");
            assertFalse(c.canConnectTcp(f.ipv4(a, "a"), 80, SHORT), "isolated -> isolate=false");
            assertTrue(lb.port() > 0 && la.port() > 0);
        }
    }

    @Test
    void theOutboundAddressIsWhatTheOutsideSees() throws Exception {
        TestSandbox lan = f.lanWithDefaultRoute();
        f.host.ip("addr", "add", "10.99.0.3/24", "dev", hostLink("10.99.0.1"));
        var e = assertThrows(WeftException.InvalidRequest.class, () -> f.network("out", "10.81.17.0/24",
                Map.of(BridgeOptions.OUTBOUND_ADDR4, "10.99.0.77")));
        assertTrue(e.getMessage().contains("outbound_addr4=10.99.0.77 is not an address of the host"), e.getMessage());
        f.network("out", "10.81.17.0/24", Map.of(BridgeOptions.OUTBOUND_ADDR4, "10.99.0.3"));
        TestSandbox a = f.sandbox("a", "out");
        try (TcpListener l = lan.listenTcp(9000)) {
            assertEquals("10.99.0.3", a.connectTcp("10.99.0.2", 9000).peerSeenBy(l));
        }
    }

    /** The host's link that carries {@code address}. */
    private String hostLink(String address) {
        String line = f.host.ip("-o", "addr", "show", "to", address).strip();
        return line.split("\\s+")[1];
    }
}

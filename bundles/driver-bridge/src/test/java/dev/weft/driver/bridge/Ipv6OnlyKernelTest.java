package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.NetworkSpec;
import dev.weft.api.SubnetSpec;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.IpPrefix;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * IPv6-only bridge networks (Docker 28's {@code --ipv4=false --ipv6}), by traffic: sandboxes with no
 * IPv4 address at all talk to each other over TCP and reach an "outside" namespace through the
 * gateway (NAT as for dual stack); the bridge carries no IPv4 address; IPv4 requests for the network
 * are refused with nothing changed.
 */
@ExtendWith(KernelTest.class)
class Ipv6OnlyKernelTest extends BridgeFixture.PerTest {

    private NetworkInfo sixOnly(String name, String subnet) {
        return f.controller().createNetwork(new NetworkSpec(name, BridgeDriver.NAME,
                List.of(SubnetSpec.of(IpPrefix.parse(subnet))), true, false, Map.of(), Map.of()).withIpv4(false));
    }

    @Test
    void sandboxesWithOnlyIpv6TalkToEachOtherAndToTheOutsideThroughTheGateway() throws Exception {
        NetworkInfo n = sixOnly("six", "fd00:86::/64");
        assertFalse(n.ipv4());
        assertEquals(List.of(IpPrefix.parse("fd00:86::/64")), n.subnets().stream().map(s -> s.subnet()).toList());
        String bridge = "br-" + n.id().substring(0, 12);
        assertEquals("", f.host.ip("-4", "addr", "show", "dev", bridge).strip(), "no IPv4 on the bridge");
        assertTrue(f.host.ip("-6", "addr", "show", "dev", bridge).contains("fd00:86::1/64"));

        TestSandbox lan = f.host.outside("lan", "fd00:99::1/64", "fd00:99::2/64");
        TestSandbox a = f.sandbox("a", "six");
        TestSandbox b = f.sandbox("b", "six");
        for (TestSandbox s : List.of(a, b)) {
            EndpointInfo e = f.endpoint(s, "six");
            assertNull(e.ipv4());
            assertEquals("", s.ip("-4", "addr", "show", "dev", "eth0").strip(), s.name() + " has no IPv4 address");
            assertEquals("", s.ip("-4", "route").strip(), s.name() + " has no IPv4 route");
            assertTrue(s.ip("-6", "route").contains("default via fd00:86::1 dev eth0"), s.ip("-6", "route"));
        }
        assertEquals("fd00:86::2", f.ipv6(a, "six"));

        try (TcpListener l = b.listenTcp(8080)) {
            assertEquals(f.ipv6(a, "six"), a.connectTcp(f.ipv6(b, "six"), 8080).peerSeenBy(l));
        }
        try (TcpListener l = lan.listenTcp(8081)) {
            assertEquals("fd00:99::1", a.connectTcp("fd00:99::2", 8081).peerSeenBy(l),
                    "out through the gateway, masqueraded to the host's address");
        }
        try (TcpListener l = f.host.listenTcp("fd00:86::1", 7070)) {
            assertEquals(f.ipv6(b, "six"), b.connectTcp("fd00:86::1", 7070).peerSeenBy(l), "the gateway itself");
        }

        f.restart(); // the record keeps it IPv6-only; the driver restores it
        assertFalse(f.controller().network("six").orElseThrow().ipv4());
        try (TcpListener l = lan.listenTcp(8082)) {
            assertEquals("fd00:99::1", b.connectTcp("fd00:99::2", 8082).peerSeenBy(l));
        }
        f.controller().removeSandbox(a.name());
        f.controller().removeSandbox(b.name());
        f.driver.drain();
        f.controller().removeNetwork("six");
        assertFalse(f.host.tryIp("link", "show", bridge).succeeded());
    }

    @Test
    void aPublishedPortReachesTheIpv6OnlySandboxFromIpv6ByDnatAndFromIpv4ThroughTheRelay() throws Exception {
        sixOnly("six", "fd00:87::/64");
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        f.host.ip("-6", "addr", "add", "fd00:99::1/64", "dev", hostLink("10.99.0.1"), "nodad");
        lan.ip("-6", "addr", "add", "fd00:99::2/64", "dev", "eth0", "nodad");
        TestSandbox web = f.sandbox("web", "six", "8080:80");
        assertEquals("fd00:87::2", f.ipv6(web, "six"));
        String v6 = f.nft("list", "map", "inet", BridgeFixture.TABLE, "pub6_any");
        assertTrue(v6.contains("tcp . 8080 : fd00:87::2 . 80"), "IPv6 by DNAT: " + v6);
        java.time.Duration wait = java.time.Duration.ofSeconds(5);
        try (TcpListener l = web.listenTcp("::", 80)) {
            // each client must arrive at the sandbox's listener (a relay that resets would still
            // have completed the client's handshake)
            lan.connectTcp("fd00:99::1", 8080);
            assertEquals("fd00:99::2", l.awaitConnection(wait), "IPv6 client, by DNAT: the client's own address");
            // no IPv4 DNAT can reach a sandbox without IPv4: the runtime's relay takes IPv4 clients to
            // its IPv6 address, as docker-proxy does
            lan.connectTcp("10.99.0.1", 8080);
            assertEquals("fd00:87::1", l.awaitConnection(wait), "IPv4 client, relayed from the host");
            f.host.connectTcp("127.0.0.1", 8080);
            assertEquals("fd00:87::1", l.awaitConnection(wait), "127.0.0.1, relayed");
            f.host.connectTcp("::1", 8080);
            assertEquals("fd00:87::1", l.awaitConnection(wait), "[::1], relayed");
        }
    }

    /** The host's link that carries {@code address}. */
    private String hostLink(String address) {
        return f.host.ip("-o", "addr", "show", "to", address).strip().split("\\s+")[1];
    }

    @Test
    void ipv4RequestsForAnIpv6OnlyNetworkAreRefusedWithNothingChanged() throws Exception {
        String links = f.host.ip("-o", "link");
        String tables = f.nft("list", "tables");
        WeftException e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(
                new NetworkSpec("none", BridgeDriver.NAME, List.of(), false, false, Map.of(), Map.of()).withIpv4(false)));
        assertTrue(e.getMessage().contains("no IP address family enabled"), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(new NetworkSpec("mixed",
                BridgeDriver.NAME, List.of(SubnetSpec.of(IpPrefix.parse("10.86.0.0/24")),
                SubnetSpec.of(IpPrefix.parse("fd00:87::/64"))), true, false, Map.of(), Map.of()).withIpv4(false)));
        assertTrue(e.getMessage().contains("subnet 10.86.0.0/24 is IPv4, but the network is IPv6-only"), e.getMessage());
        assertEquals(links, f.host.ip("-o", "link"));
        assertEquals(tables, f.nft("list", "tables"));
        assertTrue(f.controller().networks().isEmpty());

        sixOnly("six", "fd00:87::/64");
        links = f.host.ip("-o", "link");
        e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createSandbox(
                new dev.weft.api.SandboxSpec(f.host.namespaceName("c"), "six",
                        new EndpointSpec(IpAddresses.parse("10.86.0.5"), null, List.of(), List.of()), null)));
        assertTrue(e.getMessage().contains("is IPv6-only (created with --ipv4=false)"), e.getMessage());
        assertEquals(links, f.host.ip("-o", "link"));
        assertTrue(f.controller().sandboxes().isEmpty());
        assertFalse(f.host.tryExec("ip", "netns", "pids", f.host.namespaceName("c")).succeeded(), "no namespace made");

        e = assertThrows(WeftException.InvalidRequest.class, () -> f.sandbox("p", "six", "127.0.0.1:8081:81"));
        assertEquals("network \"six\" is IPv6-only (created with --ipv4=false): port 127.0.0.1:8081:81/tcp names the "
                + "IPv4 host address 127.0.0.1, which nothing can forward to a sandbox without IPv4; publish on every "
                + "address (IPv4 clients are relayed to the sandbox's IPv6 address) or on an IPv6 host address",
                e.getMessage());
        assertEquals(links, f.host.ip("-o", "link"));
        assertTrue(f.controller().sandboxes().isEmpty());
        assertFalse(f.host.tryExec("ip", "netns", "pids", f.host.namespaceName("p")).succeeded(), "no namespace made");
    }
}

package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.WeftException;
import dev.weft.net.IpAddresses;
import dev.weft.net.MacAddress;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Milestone 1: bridges, veths, addresses, MTU, dual stack, live connect and disconnect, with traffic. */
@ExtendWith(KernelTest.class)
class BridgeNetworkTest extends BridgeFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);

    @Test
    void twoSandboxesOnAUserNetworkTalkTcpAndUdp() throws Exception {
        NetworkInfo n = f.network("blue", "10.81.0.0/24", Map.of());
        String bridge = "br-" + n.id().substring(0, 12);
        TestSandbox a = f.sandbox("a", "blue");
        TestSandbox b = f.sandbox("b", "blue");
        String links = f.host.exec("ip", "-d", "link", "show", bridge);
        assertTrue(links.contains("alias weft:test:" + n.id()), links);
        assertTrue(f.host.ip("-4", "addr", "show", bridge).contains("10.81.0.1/24"));

        EndpointInfo ea = f.endpoint(a, "blue");
        assertTrue(ea.mac().isLocalUnicast(), "a random locally administered MAC (Docker 28): " + ea.mac());
        assertNotEquals(MacAddress.fromIpv4(IpAddresses.parse4Only("10.81.0.2")), ea.mac(), "not derived from the address");
        assertTrue(a.ip("link", "show", "eth0").contains(ea.mac().toString()), "the recorded MAC is the interface's");
        assertTrue(a.ip("route").contains("default via 10.81.0.1 dev eth0"), a.ip("route"));
        String hostEnd = f.host.exec("bridge", "-d", "link", "show");
        assertTrue(hostEnd.contains("hairpin on"), hostEnd);
        // no IPv6 link-local where no IPv6 is carried (its DAD and solicitations would be flooded
        // to every sandbox on the bridge): neither the host end nor an IPv4-only sandbox end
        assertEquals("", f.host.ip("-6", "addr", "show", "dev", f.endpointHostEnd(a, "blue")).strip());
        assertEquals("", a.ip("-6", "addr", "show", "dev", "eth0").strip());

        try (TcpListener l = b.listenTcp(8080); UdpListener u = b.listenUdp(5353)) {
            assertEquals(f.ipv4(a, "blue"), a.connectTcp(f.ipv4(b, "blue"), 8080).peerSeenBy(l));
            a.sendUdp(f.ipv4(b, "blue"), 5353, "hello");
            assertEquals("hello", u.awaitDatagram(Duration.ofSeconds(2)).payload());
        }

        f.controller().removeSandbox(a.name());
        f.controller().removeSandbox(b.name());
        f.driver.drain();
        f.controller().removeNetwork("blue");
        assertFalse(f.host.tryIp("link", "show", bridge).succeeded());
        assertEquals("", f.host.ip("-o", "link", "show", "type", "veth").strip());
    }

    @Test
    void aDefaultStyleNetworkNamedByOptionWorksAndAnExistingForeignBridgeIsNeverDeleted() throws Exception {
        f.network("bridge0", "10.82.0.0/24", Map.of(BridgeOptions.BRIDGE_NAME, "weft0"));
        TestSandbox a = f.sandbox("a", "bridge0");
        TestSandbox b = f.sandbox("b", "bridge0");
        try (TcpListener l = b.listenTcp(80)) {
            assertEquals(f.ipv4(a, "bridge0"), a.connectTcp(f.ipv4(b, "bridge0"), 80).peerSeenBy(l));
        }
        f.controller().removeSandbox(a.name());
        f.controller().removeSandbox(b.name());
        f.controller().removeNetwork("bridge0");
        assertFalse(f.host.tryIp("link", "show", "weft0").succeeded());

        f.host.bridge("mine0", "192.0.2.1/28");
        f.network("mine", "10.83.0.0/24", Map.of(BridgeOptions.BRIDGE_NAME, "mine0"));
        TestSandbox c = f.sandbox("c", "mine");
        var conflict = assertThrows(WeftException.Conflict.class,
                () -> f.network("mine2", "10.83.1.0/24", Map.of(BridgeOptions.BRIDGE_NAME, "mine0")));
        assertTrue(conflict.getMessage().contains("already used by network"), conflict.getMessage());
        try (TcpListener l = f.host.listenTcp("10.83.0.1", 7777)) { // plumbed: the gateway is reachable
            assertEquals(f.ipv4(c, "mine"), c.connectTcp("10.83.0.1", 7777).peerSeenBy(l));
        }
        f.controller().removeSandbox(c.name());
        f.controller().removeNetwork("mine");
        String kept = f.host.ip("addr", "show", "mine0");
        assertTrue(kept.contains("192.0.2.1/28") && !kept.contains("10.83.0.1"), kept);
    }

    @Test
    void dualStackSandboxesTalkOverIpv6() throws Exception {
        f.network("six", List.of("10.84.0.0/24", "fd00:84::/64"), true, false, Map.of());
        TestSandbox a = f.sandbox("a", "six");
        TestSandbox b = f.sandbox("b", "six");
        assertTrue(a.ip("-6", "route").contains("default via fd00:84::1"), a.ip("-6", "route"));
        assertTrue(a.ip("-6", "addr", "show", "dev", "eth0").contains("fe80::"), "a dual-stack endpoint keeps its link-local");
        try (TcpListener l = b.listenTcp(8080)) {
            assertEquals(f.ipv6(a, "six"), a.connectTcp(f.ipv6(b, "six"), 8080).peerSeenBy(l));
            assertEquals(f.ipv4(a, "six"), a.connectTcp(f.ipv4(b, "six"), 8080).peerSeenBy(l));
        }
        try (UdpListener u = b.listenUdp(5353)) {
            a.sendUdp(f.ipv6(b, "six"), 5353, "six");
            assertEquals("six", u.awaitDatagram(Duration.ofSeconds(2)).payload());
        }
        assertEquals("1", f.host.sysctl("net.ipv6.conf.all.forwarding"));
    }

    @Test
    void theMtuIsSetOnBothVethEndsFromTheOptionOrTheUplink() throws Exception {
        f.network("small", "10.85.0.0/24", Map.of(BridgeOptions.MTU, "1400"));
        TestSandbox a = f.sandbox("a", "small");
        assertTrue(a.ip("link", "show", "eth0").contains("mtu 1400"), a.ip("link", "show", "eth0"));
        String hostEnd = f.endpointHostEnd(a, "small");
        assertTrue(f.host.ip("link", "show", hostEnd).contains("mtu 1400"));

        // The uplink: the device of the host's default route.
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        String uplink = f.host.exec("ip", "-o", "-4", "addr", "show", "to", "10.99.0.1").split("\\s+")[1];
        f.host.ip("link", "set", uplink, "mtu", "1450");
        f.host.ip("route", "add", "default", "via", "10.99.0.2");
        f.network("auto", "10.86.0.0/24", Map.of());
        TestSandbox b = f.sandbox("b", "auto");
        assertTrue(b.ip("link", "show", "eth0").contains("mtu 1450"), b.ip("link", "show", "eth0"));
        assertTrue(f.host.ip("link", "show", f.endpointHostEnd(b, "auto")).contains("mtu 1450"));
        assertTrue(lan.name().length() > 0);
    }

    @Test
    void aRunningSandboxConnectsToASecondNetworkAndDisconnects() throws Exception {
        f.network("red", "10.87.0.0/24", Map.of());
        f.network("green", "10.88.0.0/24", Map.of());
        TestSandbox a = f.sandbox("a", "red");
        TestSandbox g = f.sandbox("g", "green");
        try (TcpListener l = g.listenTcp(8080)) {
            assertFalse(a.canConnectTcp(f.ipv4(g, "green"), 8080, SHORT));
            f.controller().connect("green", a.name(), EndpointSpec.defaults());
            assertTrue(a.ip("route").contains("default via 10.87.0.1 dev eth0"), a.ip("route"));
            assertFalse(a.ip("route").contains("via 10.88.0.1"), a.ip("route"));
            assertEquals(f.ipv4(a, "green"), a.connectTcp(f.ipv4(g, "green"), 8080).peerSeenBy(l));

            f.controller().disconnect("green", a.name(), false);
            assertFalse(a.canConnectTcp(f.ipv4(g, "green"), 8080, SHORT));
            f.driver.drain();
            assertFalse(a.tryIp("link", "show", "eth1").succeeded(), a.ip("link"));
            // and again: the same interface name is free for the next connect
            f.controller().connect("green", a.name(), EndpointSpec.defaults());
            assertEquals(f.ipv4(a, "green"), a.connectTcp(f.ipv4(g, "green"), 8080).peerSeenBy(l));
        }
    }

    @Test
    void unknownAndMalformedOptionsAreRefusedNamingTheKey() {
        var e = assertThrows(WeftException.InvalidRequest.class, () -> f.network("x", "10.89.0.0/24", Map.of("color", "red")));
        assertTrue(e.getMessage().contains("\"color\""), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class,
                () -> f.network("x", "10.89.0.0/24", Map.of(BridgeOptions.HOST_BINDING_IPV4, "localhost-ish")));
        assertTrue(e.getMessage().contains(BridgeOptions.HOST_BINDING_IPV4), e.getMessage());
        e = assertThrows(WeftException.InvalidRequest.class,
                () -> f.network("x", "10.89.0.0/24", Map.of(BridgeOptions.MTU, "9")));
        assertTrue(e.getMessage().contains("from 68 to 65535"), e.getMessage());
        assertTrue(f.controller().network("x").isEmpty());
        assertEquals("", f.host.ip("-o", "link", "show", "type", "bridge").strip());
    }

    @Test
    void theNullIpamDriverIsRefusedInValidateBeforeAnythingIsMade() {
        var e = assertThrows(WeftException.InvalidRequest.class, () -> f.controller().createNetwork(
                dev.weft.api.NetworkSpec.of("bare", BridgeDriver.NAME).withIpam("null", Map.of())));
        assertEquals("network \"bare\": the bridge driver needs addresses and IPAM driver \"null\" gives none (a bridge "
                + "without subnets, its endpoints with link-local addresses only, is not supported yet); omit "
                + "--ipam-driver for the default one, or choose another", e.getMessage());
        assertTrue(f.controller().network("bare").isEmpty());
        assertEquals("", f.host.ip("-o", "link", "show", "type", "bridge").strip());
        assertEquals("172.17.0.0/24", f.controller().createNetwork(dev.weft.api.NetworkSpec.of("next", BridgeDriver.NAME))
                .subnets().get(0).subnet().toString(), "no pool was taken");
    }
}

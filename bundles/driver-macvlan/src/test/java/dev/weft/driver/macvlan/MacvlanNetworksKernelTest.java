package dev.weft.driver.macvlan;

import static dev.weft.driver.macvlan.MacvlanFixture.GW4;
import static dev.weft.driver.macvlan.MacvlanFixture.GW6;
import static dev.weft.driver.macvlan.MacvlanFixture.SUBNET4;
import static dev.weft.driver.macvlan.MacvlanFixture.SUBNET6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointSpec;
import dev.weft.api.NetworkInfo;
import dev.weft.api.WeftException;
import dev.weft.net.MacAddress;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Networks on one parent (several subnets, passthru's exclusivity, overlaps), IPv6, internal and
 * gateway-less networks, endpoint settings and gateway priorities, proven with traffic to the LAN.
 */
@ExtendWith(KernelTest.class)
class MacvlanNetworksKernelTest extends MacvlanFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);

    @Test
    void twoNetworksWithDifferentSubnetsShareOneParentAndAnOverlappingThirdIsRefused() {
        f.lan.addAddress("eth0", "10.71.0.1/24");
        f.network("red", SUBNET4, GW4, Map.of());
        f.network("green", "10.71.0.0/24", "10.71.0.1", Map.of(MacvlanOptions.MODE, "private"));
        TestSandbox r = f.sandbox("r", "red");
        TestSandbox g = f.sandbox("g", "green");
        try (TcpListener l = f.lan.listenTcp(7000)) {
            try (TcpConnection c = r.connectTcp(GW4, 7000)) {
                assertEquals(f.ipv4(r, "red"), c.peerSeenBy(l));
            }
            try (TcpConnection c = g.connectTcp("10.71.0.1", 7000)) {
                assertEquals(f.ipv4(g, "green"), c.peerSeenBy(l));
            }
        }
        String links = f.hostLinks();
        WeftException e = assertThrows(WeftException.Conflict.class,
                () -> f.network("blue", "10.70.0.128/25", null, Map.of()));
        assertTrue(e.getMessage().contains("10.70.0.128/25") && e.getMessage().contains("overlaps network \"red\""),
                e.getMessage());
        assertTrue(f.controller().network("blue").isEmpty());
        assertEquals(links, f.hostLinks());
    }

    @Test
    void passthruGivesTheParentToOneSandboxAndRefusesASecondAndOtherNetworksOnIt() {
        String parentBefore = parentState();
        f.network("pt", SUBNET4, GW4, Map.of(MacvlanOptions.MODE, "passthru"));
        TestSandbox a = f.sandbox("a", "pt");
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW4, 7000)) {
            assertEquals(f.ipv4(a, "pt"), c.peerSeenBy(l));
        }
        assertEquals(f.host.ip("link", "show", "p0").split("link/ether ")[1].substring(0, 17),
                f.endpoint(a, "pt").mac().toString(), "passthru takes the parent's MAC");
        BigInteger inUse = inUse("pt");

        WeftException e = assertThrows(WeftException.Conflict.class, () -> f.sandbox("b", "pt"));
        assertTrue(e.getMessage().contains("passthru") && e.getMessage().contains("\"p0\""), e.getMessage());
        assertTrue(f.controller().sandbox(f.host.namespaceName("b")).isEmpty(), "no sandbox left");
        assertEquals(inUse, inUse("pt"), "no lease left");
        assertEquals(1, f.controller().network("pt").orElseThrow().endpoints().size());

        WeftException other = assertThrows(WeftException.Conflict.class,
                () -> f.network("mv", "10.71.0.0/24", null, Map.of()));
        assertTrue(other.getMessage().contains("\"pt\"") && other.getMessage().contains("passthru"), other.getMessage());
        assertTrue(f.controller().network("mv").isEmpty());

        f.controller().removeSandbox(a.name());
        f.runtime.awaitRemovals();
        f.controller().removeNetwork("pt");
        assertEquals(parentBefore, parentState(), "the parent is as it was (MAC, promiscuity)");
    }

    @Test
    void passthruIsRefusedOnAParentAnotherNetworkUses() {
        f.network("mv", SUBNET4, GW4, Map.of());
        WeftException e = assertThrows(WeftException.Conflict.class,
                () -> f.network("pt", "10.71.0.0/24", null, Map.of(MacvlanOptions.MODE, "passthru")));
        assertTrue(e.getMessage().contains("\"mv\"") && e.getMessage().contains("passthru"), e.getMessage());
        assertTrue(f.controller().network("pt").isEmpty());
    }

    @Test
    void ipv6SandboxesReachTheLanAndAreAnnouncedByUnsolicitedNeighbourAdvertisements() {
        // a router (forwarding on) with accept_untracked_na makes a neighbour entry of an unsolicited NA (RFC 9131)
        f.lan.sysctl("net.ipv6.conf.all.forwarding", "1");
        f.lan.sysctl("net.ipv6.conf.eth0.accept_untracked_na", "1");
        f.network("six", SUBNET4, GW4, SUBNET6, GW6, false, Map.of());
        TestSandbox a = f.sandbox("a", "six");
        String ip6 = f.ipv6(a, "six");
        String neigh = f.lan.ip("-6", "neigh", "show", "dev", "eth0");
        assertTrue(neigh.contains(ip6 + " lladdr " + f.endpoint(a, "six").mac()), "announced: " + neigh);
        assertTrue(a.ip("-6", "route").contains("default via " + GW6 + " dev eth0"), a.ip("-6", "route"));
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW6, 7000)) {
            assertEquals(ip6, c.peerSeenBy(l));
        }
        try (TcpListener l = a.listenTcp(7001); TcpConnection c = f.lan.connectTcp(ip6, 7001)) {
            assertEquals(GW6, c.peerSeenBy(l));
        }
    }

    @Test
    void withoutGatewayNoAddressIsReservedAndNoDefaultRouteAdded() {
        f.lan.addAddress("eth0", "10.71.0.254/24");
        NetworkInfo n = f.network("nogw", "10.71.0.0/24", null, Map.of());
        assertTrue(n.subnets().get(0).gateway() == null, "no gateway recorded: " + n.subnets());
        TestSandbox a = f.sandbox("a", "nogw");
        assertEquals("10.71.0.1", f.ipv4(a, "nogw"), "the first address is a sandbox's: nothing reserved");
        assertFalse(a.ip("route").contains("default"), a.ip("route"));
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp("10.71.0.254", 7000)) {
            assertEquals("10.71.0.1", c.peerSeenBy(l));
        }
    }

    @Test
    void ipRangeAndAuxAddressesAreCoresAsForTheBridge() {
        f.controller().createNetwork(new dev.weft.api.NetworkSpec("mv", MacvlanDriver.NAME, List.of(
                new dev.weft.api.SubnetSpec(dev.weft.net.IpPrefix.parse(SUBNET4), dev.weft.net.IpPrefix.parse("10.70.0.128/25"),
                        dev.weft.net.IpAddresses.parse(GW4), Map.of("printer", dev.weft.net.IpAddresses.parse("10.70.0.128")))),
                false, false, Map.of(MacvlanOptions.PARENT, "p0"), Map.of()));
        TestSandbox a = f.sandbox("a", "mv");
        assertEquals("10.70.0.129", f.ipv4(a, "mv"), "from the range, past the aux address");
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW4, 7000)) {
            assertEquals("10.70.0.129", c.peerSeenBy(l));
        }
    }

    @Test
    void anInternalNetworkGivesNoDefaultRouteButItsLanIsReached() {
        f.network("int", SUBNET4, GW4, null, null, true, Map.of());
        TestSandbox a = f.sandbox("a", "int");
        assertFalse(a.ip("route").contains("default"), a.ip("route"));
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW4, 7000)) {
            assertEquals(f.ipv4(a, "int"), c.peerSeenBy(l));
        }
    }

    @Test
    void theGivenMacNameAndSysctlsAreTheInterfacesAndTheMtuIsTheNetworks() {
        f.network("mv", SUBNET4, GW4, Map.of(MacvlanOptions.MTU, "1400"));
        EndpointSpec spec = new EndpointSpec(null, null, List.of(), List.of(), 0, MacAddress.parse("02:aa:bb:cc:dd:01"),
                Map.of("com.docker.network.endpoint.ifname", "lan0",
                        "com.docker.network.endpoint.sysctls", "net.ipv4.conf.IFNAME.log_martians=1"));
        TestSandbox a = f.sandbox("a", "mv", spec);
        String link = a.ip("link", "show", "lan0");
        assertTrue(link.contains("link/ether 02:aa:bb:cc:dd:01") && link.contains("mtu 1400"), link);
        assertEquals("1", a.sysctl("net.ipv4.conf.lan0.log_martians"));
        assertEquals("1", a.sysctl("net.ipv4.conf.lan0.arp_notify"));
        try (TcpListener l = f.lan.listenTcp(7000); TcpConnection c = a.connectTcp(GW4, 7000)) {
            assertEquals(f.ipv4(a, "mv"), c.peerSeenBy(l));
        }
    }

    /** gw-priority: the default route follows the endpoint with the highest priority, and comes back. */
    @Test
    void theDefaultRouteMovesWithGatewayPriorities() {
        f.lan.addAddress("eth0", "10.71.0.1/24");
        f.network("red", SUBNET4, GW4, Map.of());
        f.network("green", "10.71.0.0/24", "10.71.0.1", Map.of());
        TestSandbox a = f.sandbox("a", "red");
        assertTrue(a.ip("route").contains("default via " + GW4), a.ip("route"));
        f.controller().connect("green", a.name(), new EndpointSpec(null, null, List.of(), List.of(), 10));
        String routes = a.ip("route");
        assertTrue(routes.contains("default via 10.71.0.1 dev eth1") && !routes.contains("default via " + GW4), routes);
        f.controller().disconnect("green", a.name(), false);
        assertTrue(a.ip("route").contains("default via " + GW4 + " dev eth0"), a.ip("route"));
        assertFalse(a.tryIp("link", "show", "eth1").succeeded(), "left: its link is gone");
    }

    /**
     * The kernel passes no frames between a parent and its macvlan links: the host does not reach
     * its sandboxes through p0, even with an address of the subnet on it, as network:inspect's
     * remarks say; a host-side macvlan link on the same parent, as they suggest, does.
     */
    @Test
    void inspectSaysTheHostCannotReachItsSandboxesAndHowAHostSideMacvlanDoes() {
        NetworkInfo n = f.network("mv", SUBNET4, GW4, Map.of());
        assertTrue(n.remarks().get(MacvlanDriver.REMARK_HOST_ACCESS).contains("cannot reach")
                && n.remarks().get(MacvlanDriver.REMARK_HOST_ACCESS).contains("ip link add mv-host link p0 type macvlan"),
                n.remarks().toString());
        assertTrue(f.controller().network("mv").orElseThrow().remarks().get(MacvlanDriver.REMARK_NAME_RESOLUTION)
                .contains("not served"));
        TestSandbox a = f.sandbox("a", "mv");
        String ipA = f.ipv4(a, "mv");
        try (TcpListener l = a.listenTcp(7000)) {
            f.host.addAddress("p0", "10.70.0.250/24");
            assertFalse(f.host.canConnectTcp(ipA, 7000, SHORT), "the host does not reach its macvlan child through p0");
            f.host.ip("addr", "del", "10.70.0.250/24", "dev", "p0");
            f.host.ip("link", "add", "mv-host", "link", "p0", "type", "macvlan", "mode", "bridge");
            f.host.addAddress("mv-host", "10.70.0.250/24");
            f.host.ip("link", "set", "mv-host", "up");
            try (TcpConnection c = f.host.connectTcp(ipA, 7000)) {
                assertEquals("10.70.0.250", c.peerSeenBy(l), "a host-side macvlan link reaches it");
            }
        }
    }

    private BigInteger inUse(String network) {
        return f.controller().network(network).orElseThrow().ipamStatus().values().iterator().next().ipsInUse();
    }

    /** The parent as {@code ip -d link} shows it, without counters and state. */
    private String parentState() {
        return f.host.ip("-d", "link", "show", "p0").replaceAll(" state [A-Z]+ ", " ").replaceAll("<[^>]*>", "");
    }
}

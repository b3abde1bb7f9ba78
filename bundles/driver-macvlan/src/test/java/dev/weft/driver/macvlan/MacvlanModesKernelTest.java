package dev.weft.driver.macvlan;

import static dev.weft.driver.macvlan.MacvlanFixture.GW4;
import static dev.weft.driver.macvlan.MacvlanFixture.SUBNET4;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.EndpointInfo;
import dev.weft.testkit.Datagram;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import dev.weft.testkit.UdpListener;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The four macvlan modes with real traffic: between two sandboxes of one parent and between each
 * of them and a listener on the parent's LAN, which sees the sandboxes' own addresses (no NAT).
 */
@ExtendWith(KernelTest.class)
class MacvlanModesKernelTest extends MacvlanFixture.PerTest {
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final Duration WAIT = Duration.ofSeconds(3);

    @Test
    void bridgeModeSandboxesTalkToEachOtherAndToTheLanWithTheirOwnAddressesAndAreAnnounced() {
        f.lan.sysctl("net.ipv4.conf.eth0.arp_accept", "1"); // a gratuitous ARP makes a neighbour entry
        f.network("mv", SUBNET4, GW4, Map.of());
        TestSandbox a = f.sandbox("a", "mv");
        TestSandbox b = f.sandbox("b", "mv");
        String ipA = f.ipv4(a, "mv"), ipB = f.ipv4(b, "mv");
        EndpointInfo epA = f.endpoint(a, "mv");

        // announced when it came up: the LAN knows a's address and MAC before a sent anything to it
        String neigh = f.lan.ip("neigh", "show", "dev", "eth0");
        assertTrue(neigh.contains(ipA + " lladdr " + epA.mac()), "the LAN learnt " + ipA + " from a gratuitous ARP: " + neigh);
        assertTrue(epA.mac().isLocalUnicast(), "a random locally administered MAC: " + epA.mac());

        String link = a.ip("-d", "link", "show", "eth0");
        assertTrue(link.contains("macvlan mode bridge"), link);
        assertFalse(f.host.ip("-d", "link").contains("macvlan"), "never on the host: " + f.host.ip("-d", "link"));
        assertTrue(a.ip("route").contains("default via " + GW4 + " dev eth0"), a.ip("route"));

        try (TcpListener l = b.listenTcp(7000); TcpConnection c = a.connectTcp(ipB, 7000)) {
            assertEquals(ipA, c.peerSeenBy(l));
        }
        try (TcpListener l = f.lan.listenTcp(7001); TcpConnection c = b.connectTcp(GW4, 7001)) {
            assertEquals(ipB, c.peerSeenBy(l), "the LAN sees the sandbox's own address: no NAT");
        }
        try (UdpListener u = f.lan.listenUdp(7002); UdpListener ub = b.listenUdp(7003)) {
            a.sendUdp(GW4, 7002, "to the lan");
            Datagram d = u.awaitDatagram(WAIT);
            assertNotNull(d, "the LAN got a's datagram");
            assertEquals(ipA, d.source());
            a.sendUdp(ipB, 7003, "to b");
            Datagram db = ub.awaitDatagram(WAIT);
            assertNotNull(db, "b got a's datagram");
            assertEquals(ipA, db.source());
        }
    }

    @Test
    void privateModeSandboxesCannotReachEachOtherButReachTheLan() {
        f.network("mv", SUBNET4, GW4, Map.of(MacvlanOptions.MODE, "private"));
        TestSandbox a = f.sandbox("a", "mv");
        TestSandbox b = f.sandbox("b", "mv");
        String ipA = f.ipv4(a, "mv"), ipB = f.ipv4(b, "mv");
        assertTrue(a.ip("-d", "link", "show", "eth0").contains("macvlan mode private"));
        try (TcpListener l = b.listenTcp(7000)) {
            assertFalse(a.canConnectTcp(ipB, 7000, SHORT), "private mode: no frames between links of one parent");
        }
        try (TcpListener l = f.lan.listenTcp(7001); TcpConnection c = a.connectTcp(GW4, 7001)) {
            assertEquals(ipA, c.peerSeenBy(l));
        }
        try (TcpListener l = a.listenTcp(7002); TcpConnection c = f.lan.connectTcp(ipA, 7002)) {
            assertEquals(GW4, c.peerSeenBy(l), "the LAN reaches the sandbox at its own address");
        }
    }

    /**
     * VEPA sends every frame out of the parent, also one for another link of the same parent; the
     * plain veth on the LAN side does not send it back, so a cannot reach b, and the LAN's counter
     * for frames addressed to b's MAC proves they left through the parent. In bridge mode, for
     * comparison, the same frames never reach the LAN.
     */
    @Test
    void vepaSendsFramesBetweenSandboxesOutThroughTheParent() {
        f.network("vepa", SUBNET4, GW4, Map.of(MacvlanOptions.MODE, "vepa"));
        TestSandbox a = f.sandbox("a", "vepa");
        TestSandbox b = f.sandbox("b", "vepa");
        assertTrue(a.ip("-d", "link", "show", "eth0").contains("macvlan mode vepa"));
        String ipB = f.ipv4(b, "vepa");
        String macB = f.endpoint(b, "vepa").mac().toString();
        countFramesTo(macB);
        a.ip("neigh", "replace", ipB, "lladdr", macB, "dev", "eth0", "nud", "permanent"); // no ARP needed
        for (int i = 0; i < 5; i++) {
            a.sendUdp(ipB, 9999, "vepa " + i);
        }
        assertEquals(5, framesCounted(), "the 5 datagrams to b left through the parent onto the LAN");
        try (TcpListener l = b.listenTcp(7000)) {
            assertFalse(a.canConnectTcp(ipB, 7000, SHORT), "the LAN does not hairpin, so b is not reached");
        }
        try (TcpListener l = f.lan.listenTcp(7001); TcpConnection c = a.connectTcp(GW4, 7001)) {
            assertEquals(f.ipv4(a, "vepa"), c.peerSeenBy(l));
        }
    }

    @Test
    void bridgeModeFramesBetweenSandboxesNeverReachTheLan() {
        f.network("mv", SUBNET4, GW4, Map.of());
        TestSandbox a = f.sandbox("a", "mv");
        TestSandbox b = f.sandbox("b", "mv");
        String ipB = f.ipv4(b, "mv");
        String macB = f.endpoint(b, "mv").mac().toString();
        countFramesTo(macB);
        try (UdpListener u = b.listenUdp(9999)) {
            for (int i = 0; i < 5; i++) {
                a.sendUdp(ipB, 9999, "bridge " + i);
            }
            for (int i = 0; i < 5; i++) {
                assertNotNull(u.awaitDatagram(WAIT), "b got datagram " + i);
            }
        }
        assertEquals(0, framesCounted(), "delivered inside the kernel, not through the LAN");
    }

    /** A counter in the LAN namespace, at the ingress of its end of the veth, for UDP to port 9999 sent to {@code mac}. */
    private void countFramesTo(String mac) {
        f.lan.exec("nft", "add table netdev lan; add chain netdev lan in { type filter hook ingress device eth0 "
                + "priority 0; }; add rule netdev lan in ether daddr " + mac + " udp dport 9999 counter");
    }

    private int framesCounted() {
        String rules = f.lan.exec("nft", "list", "chain", "netdev", "lan", "in");
        Matcher m = Pattern.compile("counter packets (\\d+)").matcher(rules);
        assertTrue(m.find(), rules);
        return Integer.parseInt(m.group(1));
    }
}

package dev.weft.driver.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.driver.overlay.OverlayCluster.Box;
import dev.weft.driver.overlay.OverlayCluster.Joined;
import dev.weft.driver.overlay.OverlayCluster.Node;
import dev.weft.linux.NftChain;
import dev.weft.linux.NftFamily;
import dev.weft.linux.NftSet;
import dev.weft.linux.NftTable;
import dev.weft.net.IpAddresses;
import dev.weft.spi.DriverContext.FirewallMode;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Restorable.RestoredEndpoint;
import dev.weft.testkit.Datagram;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.UdpListener;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The VXLAN guard ({@code inet <nftTable>_overlay} in each host namespace): VXLAN from the VTEP of
 * a host announced by {@code Discovery} passes, from any other source it is dropped (host 3 of the
 * fixture plays a stranger on the underlay that knows the overlay's VNI and programs itself as a
 * peer, but was never announced to host 1); a host that leaves is dropped at once; reapply puts
 * the table back after another tool deleted it; a restart re-adopts it and sweeps the VTEPs no host
 * confirms; firewall mode none makes nothing. Only tables in the fixture's throwaway host
 * namespaces are touched.
 */
@ExtendWith(KernelTest.class)
class OverlayVtepGuardKernelTest {
    private static final Duration DELIVERY = Duration.ofSeconds(3);
    private static final Duration SHORT = Duration.ofMillis(700);
    private static final Pattern DROPS = Pattern.compile("ip saddr != @vteps counter packets (\\d+)");
    private OverlayCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** Three hosts with one overlay, a sandbox on each, every endpoint known as a peer everywhere. */
    private record World(NetworkConfig net, OverlayOptions options, Joined a, Joined b, Joined c) {}

    private World world() throws Exception {
        cluster = new OverlayCluster(3, FirewallMode.NFTABLES);
        NetworkConfig net = OverlayCluster.network("ov1", "10.0.9.0/24", "10.0.9.1");
        OverlayOptions options = cluster.create(net, Map.of());
        // hosts 1 and 2 are members of each other's cluster; host 3 knows them, they never heard of it
        cluster.introduce(cluster.node(1), cluster.node(2));
        cluster.node(3).driver.nodeJoined(cluster.node(1).member());
        cluster.node(3).driver.nodeJoined(cluster.node(2).member());
        Joined a = cluster.join(cluster.node(1).sandbox("a"), net, options, "10.0.9.2/24");
        Joined b = cluster.join(cluster.node(2).sandbox("b"), net, options, "10.0.9.3/24");
        Joined c = cluster.join(cluster.node(3).sandbox("c"), net, options, "10.0.9.4/24");
        for (Joined j : List.of(a, b, c)) {
            cluster.announce(net, options, j); // so the guard is the only thing that can stop c
        }
        return new World(net, options, a, b, c);
    }

    @Test
    void vxlanFromAnnouncedHostsPassesAndFromAHostNeverAnnouncedIsDropped() throws Exception {
        World w = world();
        Node h1 = cluster.node(1);
        assertEquals(Set.of("10.214.0.12"), vteps(h1), "host 1's guard lets in host 2 only");
        try (TcpListener l = w.b().box().ns().listenTcp(7000);
             TcpConnection conn = w.a().box().ns().connectTcp(w.b().ip(), 7000)) {
            assertEquals(w.a().ip(), conn.peerSeenBy(l), "a (host 1) -> b (host 2): members' VXLAN passes both ways");
        }
        udpArrives(w.b().box(), w.a(), "b to a");

        long before = drops(h1);
        udpIsDropped(h1, w.c().box(), w.a(), "from the stranger");
        assertFalse(w.c().box().ns().canConnectTcp(w.a().ip(), 7001, SHORT),
                "host 3 was never announced to host 1: its TCP must not reach a");
        assertTrue(drops(h1) > before, "host 1's guard counted the stranger's VXLAN packets as dropped");

        h1.driver.nodeJoined(cluster.node(3).member()); // the guard was the only obstacle
        assertEquals(Set.of("10.214.0.12", "10.214.0.13"), vteps(h1), "host 3 announced: its VTEP in the set");
        udpArrives(w.c().box(), w.a(), "c to a, announced");
        h1.driver.nodeJoined(cluster.node(3).member()); // announced again after a reconnect: no change, no error
        assertEquals(Set.of("10.214.0.12", "10.214.0.13"), vteps(h1), "a second nodeJoined changes nothing");
    }

    @Test
    void aHostThatLeavesIsDroppedAtOnceAndPassesAgainWhenItComesBack() throws Exception {
        World w = world();
        Node h1 = cluster.node(1);
        udpArrives(w.b().box(), w.a(), "b to a");
        h1.driver.nodeLeft(cluster.node(2).member());
        assertEquals(Set.of(), vteps(h1), "host 2 left: its VTEP is out of the set");
        long before = drops(h1);
        udpIsDropped(h1, w.b().box(), w.a(), "from host 2 after it left");
        assertTrue(drops(h1) > before, "host 1's guard counted host 2's VXLAN as dropped");
        h1.driver.nodeLeft(cluster.node(2).member()); // again: nothing to do

        h1.driver.nodeJoined(cluster.node(2).member());
        udpArrives(w.b().box(), w.a(), "b to a, host 2 back");
    }

    @Test
    void reapplyWritesTheTableAgainAfterAnotherToolDeletedIt() throws Exception {
        World w = world();
        Node h1 = cluster.node(1);
        String table = h1.guardTable();
        h1.kernel.nftables().deleteTable(NftFamily.INET, table); // only this test host's table
        udpArrives(w.c().box(), w.a(), "c to a, no guard"); // what the guard is for

        h1.driver.reapply();
        assertEquals(Set.of("10.214.0.12"), vteps(h1), "reapply put back the members' VTEPs");
        udpIsDropped(h1, w.c().box(), w.a(), "from the stranger after reapply");
        udpArrives(w.b().box(), w.a(), "b to a after reapply");

        NftTable once = h1.kernel.nftables().read(NftFamily.INET, table).orElseThrow();
        h1.driver.reapply();
        NftTable twice = h1.kernel.nftables().read(NftFamily.INET, table).orElseThrow();
        assertEquals(once.chains(), twice.chains(), "a second reapply leaves the same chains");
        assertEquals(List.of(new NftChain("input", twice.chain("input").orElseThrow().hook())), twice.chains(),
                "one base chain: " + twice.chains());
        assertEquals("input", twice.chain("input").orElseThrow().hook().orElseThrow().hook(), "on the input hook");
        assertEquals(Set.of("10.214.0.12"), vteps(h1), "and the same elements");
        assertEquals(2, h1.host.exec("nft", "list", "chain", "inet", table, "input").lines()
                .filter(l -> l.contains("dport 4789")).count(), "two rules (IPv4, IPv6), not duplicated");

        h1.kernel.nftables().deleteTable(NftFamily.INET, table);
        h1.driver.nodeJoined(cluster.node(3).member()); // a change that finds the table gone writes it again
        assertEquals(Set.of("10.214.0.12", "10.214.0.13"), vteps(h1), "written again with what the driver knows");
    }

    @Test
    void aRestartReadoptsTheTableAndSweepsTheVtepsNoHostConfirms() throws Exception {
        World w = world();
        Node h1 = cluster.node(1);
        h1.driver.nodeJoined(cluster.node(3).member());
        try (TcpListener l = w.b().box().ns().listenTcp(7000);
             TcpConnection conn = w.a().box().ns().connectTcp(w.b().ip(), 7000)) {
            assertEquals(w.b().box().ns().name(), conn.readLine());
            h1.start(true); // a new driver, the kernel as it was; host 3 left while it was down
            h1.driver.createNetwork(w.net(), w.options());
            h1.driver.restore(w.net(), w.options(), List.of(restored(w.a())));
            assertEquals(Set.of("10.214.0.12", "10.214.0.13"), vteps(h1),
                    "re-adopted: the VTEPs found are kept until the hosts are announced again");
            conn.writeLine("after the restart");
            assertEquals("after the restart", conn.readLine(), "host 2's tunnel went on through the restart");
            h1.driver.nodeJoined(cluster.node(2).member());
            assertTrue(h1.context.submitted.contains("vteps"), "the first host announced scheduled the sweep");
            h1.context.drain();
            assertEquals(Set.of("10.214.0.12"), vteps(h1), "host 3, never announced again, was swept");
            conn.writeLine("after the sweep");
            assertEquals("after the sweep", conn.readLine(), "host 2 still passes");
        }
        udpIsDropped(h1, w.c().box(), w.a(), "from host 3 after the sweep");
    }

    @Test
    void withFirewallModeNoneNoTableIsMade() throws Exception {
        cluster = new OverlayCluster(2);
        NetworkConfig net = OverlayCluster.network("ov1", "10.0.9.0/24", "10.0.9.1");
        OverlayOptions options = cluster.create(net, Map.of());
        cluster.introduce(cluster.node(1), cluster.node(2));
        cluster.join(cluster.node(1).sandbox("a"), net, options, "10.0.9.2/24");
        cluster.node(1).driver.reapply();
        assertFalse(cluster.node(1).kernel.nftables().exists(NftFamily.INET, cluster.node(1).guardTable()),
                "firewall mode none: the overlay driver must not write a table");
    }

    @Test
    void theFirstSegmentMakesTheTableBeforeAnyHostIsAnnounced() throws Exception {
        cluster = new OverlayCluster(2, FirewallMode.NFTABLES);
        NetworkConfig net = OverlayCluster.network("ov1", "10.0.9.0/24", "10.0.9.1");
        OverlayOptions options = cluster.create(net, Map.of());
        Node h1 = cluster.node(1);
        assertFalse(h1.kernel.nftables().exists(NftFamily.INET, h1.guardTable()), "createNetwork makes no table");
        cluster.join(h1.sandbox("a"), net, options, "10.0.9.2/24");
        assertEquals(Set.of(), vteps(h1), "the first segment made the table, with no VTEP let in yet");
        h1.driver.nodeJoined(cluster.node(2).member());
        assertEquals(Set.of("10.214.0.12"), vteps(h1), "host 2 announced");
        assertFalse(cluster.node(2).kernel.nftables().exists(NftFamily.INET, cluster.node(2).guardTable()),
                "host 2 has neither a segment nor a host announced: no table");
    }

    // ---- helpers

    private static RestoredEndpoint restored(Joined j) {
        return new RestoredEndpoint(j.endpoint().withDefaultRoutes(false, false), j.box().config(),
                new JoinInfo(j.endpoint().interfaceName(), j.info().mac()), List.of());
    }

    /** The IPv4 VTEPs in the guard's set on {@code h}, read back from the kernel. */
    private static Set<String> vteps(Node h) {
        NftTable t = h.kernel.nftables().read(NftFamily.INET, h.guardTable())
                .orElseThrow(() -> new AssertionError("no table inet " + h.guardTable() + " on host " + h.n));
        NftSet set = t.set(VtepGuard.V4).orElseThrow(() -> new AssertionError("no set vteps in " + t));
        assertTrue(t.set(VtepGuard.V6).isPresent(), "no set vteps6 in " + t);
        Set<String> out = new TreeSet<>();
        set.elements().forEach(e -> {
            try {
                out.add(IpAddresses.format(InetAddress.getByAddress(e.key().bytes())));
            } catch (UnknownHostException x) {
                throw new AssertionError(x);
            }
        });
        return out;
    }

    /** Packets host {@code h}'s guard dropped as IPv4 from a source not in the set. */
    private static long drops(Node h) {
        String chain = h.host.exec("nft", "list", "chain", "inet", h.guardTable(), "input");
        Matcher m = DROPS.matcher(chain);
        assertTrue(m.find(), "no counted IPv4 drop rule in the guard's chain:\n" + chain);
        return Long.parseLong(m.group(1));
    }

    private static void udpArrives(Box from, Joined to, String payload) {
        try (UdpListener l = to.box().ns().listenUdp(5300)) {
            from.ns().sendUdp(to.ip(), 5300, payload);
            Datagram d = l.awaitDatagram(DELIVERY);
            assertNotNull(d, "UDP " + payload + " did not reach " + to.ip() + ": the guard dropped a member's VXLAN?");
            assertEquals(payload, d.payload());
        }
    }

    /** Sends a datagram; it must not arrive, and the guard of {@code at} must have counted a drop. */
    private static void udpIsDropped(Node at, Box from, Joined to, String payload) {
        long before = drops(at);
        try (UdpListener l = to.box().ns().listenUdp(5301)) {
            from.ns().sendUdp(to.ip(), 5301, payload);
            Datagram d = l.awaitDatagram(SHORT);
            assertNull(d, "UDP " + payload + " reached " + to.ip() + " on host " + at.n
                    + ": its VXLAN guard let a VTEP through that is not in the set " + vteps(at));
        }
        assertTrue(drops(at) > before, "host " + at.n + "'s guard counted no drop of UDP " + payload);
    }
}

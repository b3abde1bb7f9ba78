package dev.weft.driver.overlay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.driver.overlay.OverlayCluster.Joined;
import dev.weft.driver.overlay.OverlayCluster.Node;
import dev.weft.linux.LinkSpec;
import dev.weft.spi.JoinInfo;
import dev.weft.spi.NetworkConfig;
import dev.weft.spi.Peers.Peer;
import dev.weft.spi.Restorable.RestoredEndpoint;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A new driver over the same kernel state (a restart) re-adopts the per-network namespace and the
 * veths, and an open connection keeps going; a missing vxlan link is made again; peersReset leaves
 * exactly the peers given; a namespace no network explains is swept.
 */
@ExtendWith(KernelTest.class)
class OverlayRestoreKernelTest {
    private OverlayCluster cluster;

    @AfterEach
    void tearDown() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static RestoredEndpoint restored(Joined j) {
        return new RestoredEndpoint(j.endpoint().withDefaultRoutes(false, false), j.box().config(),
                new JoinInfo(j.endpoint().interfaceName(), j.info().mac()), List.of());
    }

    @Test
    void aRestartKeepsAnOpenConnectionAndPeersResetLeavesExactlyThePeersGiven() throws Exception {
        cluster = new OverlayCluster(2);
        NetworkConfig net = OverlayCluster.network("ov1", "10.0.9.0/24", "10.0.9.1");
        var options = cluster.create(net, Map.of());
        Joined a = cluster.join(cluster.node(1).sandbox("a"), net, options, "10.0.9.2/24");
        Joined b = cluster.join(cluster.node(2).sandbox("b"), net, options, "10.0.9.3/24");
        cluster.announce(net, options, a);
        cluster.announce(net, options, b);
        Node h1 = cluster.node(1);
        Peer stale = new Peer(OverlayCluster.randomId(), "h9", dev.weft.net.IpAddresses.parse("10.214.0.19"),
                List.of(dev.weft.net.InterfaceAddress.parse("10.0.9.99/24")),
                dev.weft.net.MacAddress.parse("02:42:0a:00:09:63"));
        h1.driver.peerJoined(net, options, stale);
        String veth = h1.kernel.inNamespace(h1.segment(net).orElseThrow(),
                r -> r.link(SandboxVeth.segmentEnd(a.endpoint())).orElseThrow()).toString();

        try (TcpListener l = b.box().ns().listenTcp(7000); TcpConnection c = a.box().ns().connectTcp(b.ip(), 7000)) {
            assertEquals(b.box().ns().name(), c.readLine());
            h1.start(true); // the runtime restarts: a new driver, the kernel as it was
            h1.driver.createNetwork(net, options);
            h1.driver.restore(net, options, List.of(restored(a)));
            h1.driver.peersReset(net, options, List.of(b.peer())); // the stale one is not in the store any more
            c.writeLine("after the restart");
            assertEquals("after the restart", c.readLine(), "the open connection survived");
        }
        String after = h1.kernel.inNamespace(h1.segment(net).orElseThrow(),
                r -> r.link(SandboxVeth.segmentEnd(a.endpoint())).orElseThrow()).toString();
        assertEquals(veth, after, "the same veth, not a new one");
        int vx = h1.kernel.inNamespace(h1.segment(net).orElseThrow(), r -> r.index("vxlan0"));
        var fdb = h1.kernel.inNamespace(h1.segment(net).orElseThrow(), r -> r.fdb(vx)).stream()
                .filter(e -> e.isSelf() && e.dst() != null).toList();
        assertEquals(1, fdb.size(), "only b's entry: " + fdb);
        assertEquals(b.peer().mac(), fdb.get(0).mac());
        var neigh = h1.kernel.inNamespace(h1.segment(net).orElseThrow(), r -> r.neighbours(vx)).stream()
                .filter(n -> n.isPermanent()).toList();
        assertEquals(1, neigh.size(), "only b's address: " + neigh);
    }

    @Test
    void aMissingVxlanIsMadeAgainAndAnOrphanedNamespaceIsSwept() throws Exception {
        cluster = new OverlayCluster(2);
        NetworkConfig net = OverlayCluster.network("ov1", "10.0.9.0/24", "10.0.9.1");
        NetworkConfig gone = OverlayCluster.network("gone", "10.0.8.0/24", "10.0.8.1");
        var options = cluster.create(net, Map.of());
        var goneOptions = cluster.create(gone, Map.of());
        Joined a = cluster.join(cluster.node(1).sandbox("a"), net, options, "10.0.9.2/24");
        Joined b = cluster.join(cluster.node(2).sandbox("b"), net, options, "10.0.9.3/24");
        cluster.join(cluster.node(1).sandbox("g"), gone, goneOptions, "10.0.8.2/24");
        Node h1 = cluster.node(1);
        h1.kernel.inNamespace(h1.segment(net).orElseThrow(), r -> r.deleteLinkIfExists("vxlan0"));
        // something that is not ours, though named like it: left alone
        var foreign = h1.kernel.namespaces().create(SegmentNamespace.prefix(OverlayCluster.PREFIX) + "foreign");
        h1.kernel.inNamespace(foreign, r -> {
            r.createLink(LinkSpec.bridge("br0").alias("someone else's"));
            return null;
        });

        h1.start(true);
        h1.driver.createNetwork(net, options);
        h1.driver.restore(net, options, List.of(restored(a)));
        h1.driver.peersReset(net, options, List.of(b.peer()));
        cluster.node(2).driver.peersReset(net, options, List.of(a.peer()));
        try (TcpListener l = b.box().ns().listenTcp(7000); TcpConnection c = a.box().ns().connectTcp(b.ip(), 7000)) {
            assertEquals(a.ip(), c.peerSeenBy(l), "the vxlan was made again and carries traffic");
        }
        assertTrue(h1.context.submitted.contains("sweep"), "restore scheduled a sweep");
        assertEquals(1, h1.driver.removeOrphans(), "the namespace of network \"gone\", which no restore claimed");
        assertTrue(h1.kernel.namespaces().get(h1.driver.namespaceName(gone)).isEmpty());
        assertTrue(h1.kernel.namespaces().get(foreign.name()).isPresent(), "another's namespace stays");
        assertTrue(h1.segment(net).isPresent(), "a known network's stays");
        assertFalse(a.box().ns().canConnectTcp("10.0.8.1", 7, Duration.ofMillis(200)));
    }
}

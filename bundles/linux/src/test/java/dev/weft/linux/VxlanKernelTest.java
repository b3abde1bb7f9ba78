package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.IpAddresses;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A vxlan link made by the host namespace's socket straight into another namespace (its UDP
 * socket stays in the host), read back with its settings; forwarding and neighbour entries on it
 * replaced, listed and deleted (a missing one deletes without error), and carrying traffic to a
 * remote VTEP behind the host's {@code p0} only while they are there.
 */
@ExtendWith(KernelTest.class)
class VxlanKernelTest {
    private static final InetAddress LOCAL = IpAddresses.parse("10.214.0.1");
    private static final InetAddress REMOTE = IpAddresses.parse("10.214.0.2");
    private static final MacAddress REMOTE_MAC = MacAddress.parse("02:42:0a:00:09:02");

    private TestHost host;
    private Kernel kernel;
    private TestSandbox remote;

    @BeforeEach
    void setUp() {
        host = TestHost.create();
        kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()));
        remote = host.sandbox("remote"); // another machine on the underlay, with a vxlan of its own
        host.link("p0", "10.214.0.1/24", remote, "eth0", "10.214.0.2/24");
        remote.ip("link", "add", "vx", "address", REMOTE_MAC.toString(), "mtu", "1450", "type", "vxlan", "id", "4097",
                "local", "10.214.0.2", "dstport", "4789", "nolearning");
        remote.ip("addr", "add", "10.0.9.2/24", "dev", "vx");
        remote.ip("link", "set", "vx", "up");
    }

    @AfterEach
    void tearDown() {
        try {
            if (kernel != null) {
                kernel.close();
            }
        } finally {
            host.close();
        }
    }

    /** The per-network namespace with vxlan0 (made from the host) at 10.0.9.1/24, up. */
    private NetNamespace overlay() {
        NetNamespace ns = kernel.namespaces().create(host.adopt("ov").name());
        kernel.host().createLink(LinkSpec.vxlan("vxlan0", 4097, LOCAL, 4789, false, true).mtu(1450).in(ns));
        kernel.inNamespace(ns, rt -> {
            int vx = rt.index("vxlan0");
            rt.batch().setLink(LinkChange.of(1).up()).addAddress(vx, InterfaceAddress.parse("10.0.9.1/24"))
                    .setLink(LinkChange.of(vx).up()).send();
            return null;
        });
        return ns;
    }

    @Test
    void vxlanMadeFromTheHostIntoAnotherNamespaceKeepsItsSocketInTheHost() {
        NetNamespace ns = overlay();
        Link vx = kernel.inNamespace(ns, rt -> rt.link("vxlan0")).orElseThrow();
        assertEquals("vxlan", vx.kind());
        assertEquals(new VxlanSettings(4097, LOCAL, 4789, false, true, 0), vx.vxlan());
        assertEquals(1450, vx.mtu());
        assertTrue(vx.peerNetnsId() >= 0, "its socket's namespace is another one (the host's): " + vx);
        assertTrue(kernel.host().links().stream().noneMatch(l -> "vxlan".equals(l.kind())),
                "never on the host: " + kernel.host().links());
        assertTrue(host.exec("cat", "/proc/net/udp").contains(":12B5 "), "the host has the UDP socket on 4789: "
                + host.exec("cat", "/proc/net/udp"));
        TestSandbox ov = host.sandboxes().stream().filter(s -> s.shortName().equals("ov")).findFirst().orElseThrow();
        assertFalse(ov.exec("cat", "/proc/net/udp").contains(":12B5 "), "the overlay namespace has no socket");
    }

    @Test
    void entriesAreReplacedListedAndDeletedIdempotently() {
        NetNamespace ns = overlay();
        InetAddress peer = IpAddresses.parse("10.0.9.2");
        InetAddress peer6 = IpAddresses.parse("fd00:9::2");
        kernel.inNamespace(ns, rt -> {
            int vx = rt.index("vxlan0");
            FdbEntry fdb = FdbEntry.toVtep(vx, REMOTE_MAC, IpAddresses.parse("10.214.0.9"));
            rt.batch().replaceFdb(fdb).replaceNeighbour(Neighbour.permanent(vx, peer, REMOTE_MAC))
                    .replaceNeighbour(Neighbour.permanent(vx, peer6, REMOTE_MAC)).send();
            // replace again, moved to another VTEP: one entry, the new one
            rt.batch().replaceFdb(FdbEntry.toVtep(vx, REMOTE_MAC, REMOTE)).replaceNeighbour(
                    Neighbour.permanent(vx, peer, REMOTE_MAC)).send();
            List<FdbEntry> self = rt.fdb(vx).stream().filter(FdbEntry::isSelf).toList();
            assertEquals(List.of(FdbEntry.toVtep(vx, REMOTE_MAC, REMOTE)), self, "one entry, at the new VTEP");
            assertEquals(List.of(Neighbour.permanent(vx, peer, REMOTE_MAC), Neighbour.permanent(vx, peer6, REMOTE_MAC)),
                    rt.neighbours(vx).stream().filter(Neighbour::isPermanent).toList(), "the kernel's own (multicast, "
                            + "NOARP) are not permanent");

            rt.batch().deleteFdb(new FdbEntry(vx, REMOTE_MAC, null, 0, FdbEntry.NTF_SELF))
                    .deleteNeighbour(Neighbour.permanent(vx, peer, REMOTE_MAC))
                    .deleteNeighbour(Neighbour.permanent(vx, peer6, REMOTE_MAC)).send();
            assertTrue(rt.fdb(vx).stream().noneMatch(FdbEntry::isSelf), "deleted: " + rt.fdb(vx));
            assertEquals(List.of(), rt.neighbours(vx).stream().filter(Neighbour::isPermanent).toList());
            // again: nothing there, no error
            rt.deleteFdb(FdbEntry.toVtep(vx, REMOTE_MAC, REMOTE));
            rt.deleteNeighbour(Neighbour.permanent(vx, peer, REMOTE_MAC));
            return null;
        });
    }

    @Test
    void trafficFlowsToTheRemoteVtepOnlyWhileItsEntriesAreThere() {
        NetNamespace ns = overlay();
        TestSandbox ov = host.sandboxes().stream().filter(s -> s.shortName().equals("ov")).findFirst().orElseThrow();
        MacAddress ovMac = kernel.inNamespace(ns, rt -> rt.link("vxlan0")).orElseThrow().mac();
        remote.ip("neigh", "replace", "10.0.9.1", "lladdr", ovMac.toString(), "dev", "vx", "nud", "permanent");
        remoteFdb("replace", ovMac);
        assertFalse(ov.canConnectTcp("10.0.9.2", 7000, Duration.ofMillis(500)), "no entries: no traffic");
        int vx = kernel.inNamespace(ns, rt -> rt.index("vxlan0"));
        kernel.inNamespace(ns, rt -> {
            rt.batch().replaceNeighbour(Neighbour.permanent(vx, IpAddresses.parse("10.0.9.2"), REMOTE_MAC))
                    .replaceFdb(FdbEntry.toVtep(vx, REMOTE_MAC, REMOTE)).send();
            return null;
        });
        try (TcpListener l = remote.listenTcp(7000); TcpConnection c = ov.connectTcp("10.0.9.2", 7000)) {
            assertEquals("10.0.9.1", c.peerSeenBy(l), "through the tunnel");
        }
        kernel.inNamespace(ns, rt -> {
            rt.deleteFdb(new FdbEntry(vx, REMOTE_MAC, null, 0, FdbEntry.NTF_SELF));
            return null;
        });
        try (TcpListener l = remote.listenTcp(7001)) {
            assertFalse(ov.canConnectTcp("10.0.9.2", 7001, Duration.ofMillis(500)),
                    "forwarding entry deleted: no traffic, though the neighbour entry stays");
        }
    }

    private void remoteFdb(String verb, MacAddress mac) {
        remote.exec("bridge", "fdb", verb, mac.toString(), "dev", "vx", "dst", "10.214.0.1", "self", "permanent");
    }
}

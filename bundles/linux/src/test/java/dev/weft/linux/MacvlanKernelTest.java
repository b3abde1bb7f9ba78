package dev.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.net.InterfaceAddress;
import dev.weft.net.MacAddress;
import dev.weft.net.NetNamespace;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestHost;
import dev.weft.testkit.TestSandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * macvlan links born inside a sandbox on a parent of the host namespace (IFLA_LINK = the parent's
 * index in the creating socket's namespace, IFLA_NET_NS_FD = the sandbox), read back with their
 * mode, and carrying traffic to a LAN namespace behind the parent; a vlan link refused on this
 * kernel (no 802.1Q) with nothing made.
 */
@ExtendWith(KernelTest.class)
class MacvlanKernelTest {
    private TestHost host;
    private Kernel kernel;
    private TestSandbox lan;

    @BeforeEach
    void setUp() {
        host = TestHost.create();
        kernel = Kernel.open(KernelConfig.defaults().withHostNamespace(host.path()));
        lan = host.sandbox("lan");
        host.link("p0", null, lan, "eth0", "10.5.0.1/24"); // p0 plays the host's NIC, lan the LAN behind it
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

    private NetNamespace sandbox(String shortName, String cidr, MacvlanMode mode) {
        NetNamespace ns = kernel.namespaces().create(host.adopt(shortName).name());
        int parent = kernel.host().index("p0");
        kernel.host().createLink(LinkSpec.macvlan("eth0", parent, mode).mac(MacAddress.randomLocal()).in(ns));
        kernel.inNamespace(ns, rt -> {
            int eth0 = rt.index("eth0");
            rt.batch().setLink(LinkChange.of(1).up()).addAddress(eth0, InterfaceAddress.parse(cidr))
                    .setLink(LinkChange.of(eth0).up()).send();
            return null;
        });
        return ns;
    }

    @Test
    void macvlanIsBornInTheSandboxAndReachesTheLanWithItsOwnAddress() {
        NetNamespace a = sandbox("a", "10.5.0.2/24", MacvlanMode.BRIDGE);
        sandbox("b", "10.5.0.3/24", MacvlanMode.BRIDGE);
        int parent = kernel.host().index("p0");

        Link eth0 = kernel.inNamespace(a, rt -> rt.link("eth0")).orElseThrow();
        assertEquals("macvlan", eth0.kind());
        assertEquals(MacvlanMode.BRIDGE, eth0.macvlanMode());
        assertEquals(parent, eth0.peerIndex(), "IFLA_LINK is the parent's index in the host");
        assertTrue(eth0.peerNetnsId() >= 0, "the parent is in another namespace: " + eth0);
        assertTrue(kernel.host().links().stream().noneMatch(l -> "macvlan".equals(l.kind())),
                "never visible on the host: " + kernel.host().links());

        TestSandbox sa = host.sandboxes().stream().filter(s -> s.shortName().equals("a")).findFirst().orElseThrow();
        TestSandbox sb = host.sandboxes().stream().filter(s -> s.shortName().equals("b")).findFirst().orElseThrow();
        try (TcpListener l = lan.listenTcp(7000); TcpConnection c = sa.connectTcp("10.5.0.1", 7000)) {
            assertEquals("10.5.0.2", c.peerSeenBy(l));
        }
        try (TcpListener l = sb.listenTcp(7001); TcpConnection c = sa.connectTcp("10.5.0.3", 7001)) {
            assertEquals("10.5.0.2", c.peerSeenBy(l), "bridge mode: sandboxes of one parent talk");
        }
    }

    /** This kernel has no 802.1Q: refused, nothing made. On one that has it, the link is a vlan of p0. */
    @Test
    void vlanIsMadeOnItsParentOrRefusedWhenTheKernelLacks8021q() {
        int parent = kernel.host().index("p0");
        try {
            kernel.host().createLink(LinkSpec.vlan("p0.10", parent, 10));
        } catch (KernelException e) {
            assertTrue(e.isNotSupported(), "only a missing 802.1Q may refuse it: " + e);
            assertFalse(kernel.host().link("p0.10").isPresent(), "nothing made");
            return;
        }
        Link vlan = kernel.host().link("p0.10").orElseThrow();
        assertEquals("vlan", vlan.kind());
        assertEquals(parent, vlan.peerIndex());
    }
}

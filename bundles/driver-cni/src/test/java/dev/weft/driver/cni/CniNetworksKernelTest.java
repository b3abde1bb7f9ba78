package dev.weft.driver.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testkit.KernelTest;
import dev.weft.testkit.TcpConnection;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Networks over macvlan + host-local (parent: a veth of the test host) and over ptp: sandboxes talk, leaves leave nothing. */
@ExtendWith(KernelTest.class)
class CniNetworksKernelTest extends CniFixture.PerTest {

    @Test
    void macvlanSandboxesTalkToEachOtherAndToTheLan() throws Exception {
        TestSandbox lan = f.host.sandbox("lan");
        f.host.link("p0", null, lan, "eth0", "10.71.0.1/24");
        String before = f.hostState();
        f.network("mv", f.conflist("cnimv", "1.0.0", "{\"type\": \"macvlan\", \"master\": \"p0\", \"mode\": \"bridge\", "
                + "\"ipam\": " + f.hostLocal("10.71.0.0/24") + "}"), null);
        TestSandbox a = f.sandbox("a", "mv");
        TestSandbox b = f.sandbox("b", "mv");
        String ipA = CniFixture.ipv4(a), ipB = CniFixture.ipv4(b);
        assertTrue(a.ip("-d", "link", "show", "eth0").contains("macvlan mode bridge"));
        try (TcpListener l = b.listenTcp(7000); TcpConnection c = a.connectTcp(ipB, 7000)) {
            assertEquals(ipA, c.peerSeenBy(l));
        }
        try (TcpListener l = lan.listenTcp(7001); TcpConnection c = b.connectTcp("10.71.0.1", 7001)) {
            assertEquals(ipB, c.peerSeenBy(l), "the LAN sees the sandbox's own address");
        }
        f.controller().removeSandbox(a.name(), false);
        f.controller().removeSandbox(b.name(), false);
        f.controller().removeNetwork("mv");
        assertEquals(before, f.hostState(), "nothing of the network stays in the host namespace");
        assertTrue(f.host.ip("link").contains("p0"), "the parent, which existed before, stays");
    }

    @Test
    void aBridgeThatExistedBeforeTheNetworkStaysAfterIt() throws Exception {
        f.host.ip("link", "add", "cnipre0", "type", "bridge");
        f.network("pre", f.conflist("cnipre", "1.0.0", "{\"type\": \"bridge\", \"bridge\": \"cnipre0\", \"isGateway\": true, "
                + "\"ipam\": " + f.hostLocal("10.73.0.0/24") + "}"), null);
        TestSandbox a = f.sandbox("a", "pre");
        assertTrue(f.host.ip("link", "show", "master", "cnipre0").contains("veth"), "a's veth is on the bridge that was there");
        f.controller().removeSandbox(a.name(), false);
        f.controller().removeNetwork("pre");
        assertTrue(f.host.tryIp("link", "show", "cnipre0").succeeded(), "Weft did not see the plugin make it: it stays");
        f.host.ip("link", "del", "cnipre0");
    }

    @Test
    void ptpSandboxesTalkThroughTheHost() throws Exception {
        String before = f.hostState();
        f.network("pp", f.conflist("cnipp", "1.0.0", "{\"type\": \"ptp\", \"ipMasq\": false, \"ipam\": "
                + f.hostLocal("10.72.0.0/24") + "}"), null);
        TestSandbox a = f.sandbox("a", "pp");
        TestSandbox b = f.sandbox("b", "pp");
        String ipA = CniFixture.ipv4(a), ipB = CniFixture.ipv4(b);
        assertTrue(f.host.ip("route").contains(ipA), "a host route to each sandbox: " + f.host.ip("route"));
        try (TcpListener l = b.listenTcp(7000); TcpConnection c = a.connectTcp(ipB, 7000)) {
            assertEquals(ipA, c.peerSeenBy(l));
        }
        f.controller().removeSandbox(a.name(), false);
        f.controller().removeSandbox(b.name(), false);
        assertFalse(f.host.ip("route").contains("10.72.0."), f.host.ip("route"));
        f.controller().removeNetwork("pp");
        assertEquals(before, f.hostState(), "nothing of the network stays in the host namespace");
    }
}

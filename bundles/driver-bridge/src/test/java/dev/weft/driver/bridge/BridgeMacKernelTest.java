package dev.weft.driver.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.api.NetworkInfo;
import dev.weft.testkit.KernelTest;
import dev.weft.testkit.NamespaceProbe;
import dev.weft.testkit.TcpListener;
import dev.weft.testkit.TestSandbox;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bridge's MAC is its own: it does not follow its ports as veths come and go, so a sandbox's
 * neighbour entry for the gateway stays right. Proven with egress through the gateway (NAT to an
 * outside namespace) right after the port whose MAC a port-following bridge would have had goes.
 */
@ExtendWith(KernelTest.class)
class BridgeMacKernelTest extends BridgeFixture.PerTest {
    /** A connection through a gateway whose MAC is stale fails for 15-50 s (until the neighbour entry expires). */
    private static final Duration AT_ONCE = Duration.ofSeconds(2);
    private static final Pattern ETHER = Pattern.compile("link/ether (\\S+)");

    @Test
    void egressThroughTheGatewayGoesOnAtOnceWhileOtherSandboxesComeAndGo() throws Exception {
        NetworkInfo n = f.network("mac", "10.91.0.0/24", Map.of());
        String bridge = "br-" + n.id().substring(0, 12);
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        assertEquals("3", f.host.exec("cat", "/sys/class/net/" + bridge + "/addr_assign_type").strip(),
                "the bridge's MAC is set (NET_ADDR_SET), not random or taken from a port");
        String bridgeMac = mac(bridge);
        TestSandbox a = f.sandbox("a", "mac");
        TestSandbox b = f.sandbox("b", "mac");
        assertEquals(bridgeMac, mac(bridge), "ports joining do not change it");

        TestSandbox survivor = egressWhileTheLowerPortGoes(a, b, "mac", lan);
        assertEquals(bridgeMac, mac(bridge), "a port leaving does not change it");

        try (TcpListener l = lan.listenTcp(8081)) {
            TestSandbox c = f.sandbox("c", "mac"); // its host end may have a lower MAC than any before
            assertEquals(bridgeMac, mac(bridge));
            assertTrue(survivor.canConnectTcp("10.99.0.2", 8081, AT_ONCE), "egress right after another sandbox joined");
            assertEquals("10.99.0.1", c.connectTcp("10.99.0.2", 8081).peerSeenBy(l));
        }
    }

    @Test
    void aBridgeWeftMadeWithoutAMacOfItsOwnIsPinnedOnRestore() throws Exception {
        NetworkInfo n = f.network("old", "10.92.0.0/24", Map.of());
        String bridge = "br-" + n.id().substring(0, 12);
        TestSandbox lan = f.host.outside("lan", "10.99.0.1/24", "10.99.0.2/24");
        TestSandbox a = f.sandbox("a", "old");
        TestSandbox b = f.sandbox("b", "old");
        String endA = f.endpointHostEnd(a, "old");
        String endB = f.endpointHostEnd(b, "old");

        // What Weft made before bridges got a MAC at creation: the same bridge, following its ports.
        f.stop();
        f.host.ip("link", "del", bridge);
        f.host.ip("link", "add", bridge, "type", "bridge");
        f.host.ip("link", "set", bridge, "alias", "weft:test:" + n.id());
        f.host.ip("link", "set", endA, "master", bridge);
        f.host.ip("link", "set", endB, "master", bridge);
        f.host.ip("link", "set", bridge, "up");
        String lower = lower(mac(endA), mac(endB));
        assertEquals(lower, mac(bridge), "the old bridge follows its ports");

        f.start(); // restore adopts its own bridge
        assertEquals("3", f.host.exec("cat", "/sys/class/net/" + bridge + "/addr_assign_type").strip(),
                "restore pins the MAC (NET_ADDR_SET)");
        assertEquals(lower, mac(bridge), "its current MAC, so sandboxes' neighbour entries stay right");

        egressWhileTheLowerPortGoes(a, b, "old", lan);
        assertEquals(lower, mac(bridge));
    }

    /**
     * Both sandboxes reach the outside through the gateway (so their neighbour entries for it hold
     * the bridge's MAC); then the one whose host-side veth has the lower MAC goes, the MAC a bridge
     * following its ports had, and the other's very next connection through the gateway must
     * succeed at once. Returns the survivor.
     */
    private TestSandbox egressWhileTheLowerPortGoes(TestSandbox a, TestSandbox b, String network, TestSandbox lan) {
        String endA = f.endpointHostEnd(a, network);
        String endB = f.endpointHostEnd(b, network);
        boolean aLower = lower(mac(endA), mac(endB)).equals(mac(endA));
        TestSandbox gone = aLower ? a : b;
        TestSandbox survivor = aLower ? b : a;
        String goneEnd = aLower ? endA : endB;
        try (TcpListener l = lan.listenTcp(8080)) {
            assertEquals("10.99.0.1", a.connectTcp("10.99.0.2", 8080).peerSeenBy(l), "egress through NAT");
            assertEquals("10.99.0.1", b.connectTcp("10.99.0.2", 8080).peerSeenBy(l), "egress through NAT");

            f.controller().removeSandbox(gone.name());
            assertTrue(NamespaceProbe.waitUntilGone(f.host, goneEnd, Duration.ofSeconds(10)),
                    goneEnd + " should leave the bridge with its sandbox");
            assertTrue(survivor.canConnectTcp("10.99.0.2", 8080, AT_ONCE),
                    "egress of " + survivor.shortName() + " right after " + gone.shortName() + " (lower port MAC) left");
        }
        return survivor;
    }

    private String mac(String link) {
        String line = f.host.ip("-o", "link", "show", "dev", link);
        Matcher m = ETHER.matcher(line);
        assertTrue(m.find(), line);
        return m.group(1);
    }

    /** The lower of two MACs as the bridge compares them (byte-wise; equal-length lower-case hex sorts the same). */
    private static String lower(String x, String y) {
        return x.compareTo(y) <= 0 ? x : y;
    }
}
